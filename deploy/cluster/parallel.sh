#!/usr/bin/env bash
# Runs an experiment as SHARDS shards with GNU parallel, then merges them into one results file:
#
#   deploy/cluster/parallel.sh SPEC.json SHARDS OUTDIR [runner options, e.g. --backend cpu --workers 1]
#
# Writes OUTDIR/shard-I.json for I = 1 … SHARDS and OUTDIR/all.json, the
# same file as `npm run experiment -- SPEC.json` would write. GNU parallel runs as many shards at once as
# the machine has cores, each on one worker thread unless the runner options say otherwise. Options for
# GNU parallel itself go in $PARALLEL (GNU parallel reads it), e.g. to spread the shards over machines by
# ssh, each with the lab checked out and installed (npm ci) in --workdir:
#
#   PARALLEL='-S 8/node1,8/node2 --workdir /srv/sgd-noise-lab' deploy/cluster/parallel.sh sweep.json 16 out
#
# With -S/--sshlogin/--slf in $PARALLEL the spec goes to each machine (--basefile) and every shard's file
# comes back (--return), under the same absolute paths as here; rsync must be installed on both sides.
set -euo pipefail

if [ $# -lt 3 ]; then
  echo "usage: $0 SPEC.json SHARDS OUTDIR [runner options]" >&2
  exit 2
fi
lab=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
spec=$(realpath -e "$1") || { echo "$0: cannot read $1" >&2; exit 2; }
shards=$2
out=$(realpath -m "$3")
shift 3
if ! [[ $shards =~ ^[1-9][0-9]*$ ]]; then
  echo "$0: SHARDS must be a positive whole number (got \"$shards\")" >&2
  exit 2
fi
mkdir -p "$out"
# Local shards run in the lab's directory; remote ones in --workdir.
cd "$lab"
# --workers 1 first: later runner options override it.
runner_options=$(printf ' %q' --workers 1 "$@")
remote=()
case " ${PARALLEL:-} " in
  *" -S"* | *" --sshlogin"* | *" --slf"*) remote=(--basefile "$spec" --return "$out/shard-{}.json") ;;
esac

# One job per shard; --halt stops the rest as soon as one fails; --tag --line-buffer prefixes each shard's
# progress with its number as it comes.
parallel --will-cite --halt now,fail=1 --tag --line-buffer \
  "${remote[@]}" \
  "mkdir -p $(printf '%q' "$out") && npm run -s experiment -- $(printf '%q' "$spec") --shard {}/$shards --out $(printf '%q' "$out")/shard-{}.json$runner_options" \
  ::: $(seq 1 "$shards")

files=()
for i in $(seq 1 "$shards"); do files+=("$out/shard-$i.json"); done
npm run -s merge -- "${files[@]}" --out "$out/all.json"
