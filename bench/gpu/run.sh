#!/usr/bin/env bash
# The GPU benchmark, in one call on a machine without Node or network (the device tool's GPU machine):
# samples/s of 1, 4, 16 and 64 stacked runs of the MLP, the CNN on digits and the transformer, on webgpu
# (Dawn over the machine's Vulkan driver) and on wasm, from the archive `npm run bench:gpu:pack` builds.
#
#   bash bench/gpu/run.sh [measure.ts options, e.g. --runs 1,4 --seconds 2]
#
# Results: one JSON line per configuration in $OUT/webgpu.jsonl and $OUT/wasm.jsonl, logs beside them
# (OUT defaults to bench-results/gpu). Reads the shipped data from public/data of the checkout it runs in.
# Finishes within about 8 minutes: webgpu gets 270 s of measuring, wasm 150 s, each cut off 30 s later.
set -u
cd "$(dirname "$0")/../.."
PACK=${GPU_PACK:-.gpu/pack.tar.xz}
OUT=${OUT:-bench-results/gpu}
mkdir -p "$OUT"
[ -f "$PACK" ] || { echo "no $PACK: run npm run bench:gpu:pack first" >&2; exit 2; }
DIR=$(mktemp -d)
tar -xJf "$PACK" -C "$DIR" || exit 2

# The Vulkan loader: the system's, else the carried one, unpacked into the pack's folder (never into /).
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1'; then
  dpkg -x "$DIR"/libvulkan1*.deb "$DIR/vk" || exit 2
  export LD_LIBRARY_PATH="$DIR/vk/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
# The driver: VK_DRIVER_FILES if set; else the loader's usual folders; else NVIDIA's ICD where the
# device machine keeps it.
NVIDIA_ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_DRIVER_FILES:-}" ] && ! ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json >/dev/null 2>&1 && [ -f "$NVIDIA_ICD" ]; then
  export VK_DRIVER_FILES=$NVIDIA_ICD
fi
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}

{
  cat "$DIR/VERSIONS"
  echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-} LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
  nvidia-smi -L 2>&1 || true
  nproc
} >"$OUT/machine.txt"
cat "$OUT/machine.txt"

run() { # backend seconds-of-measuring [options]
  local backend=$1 budget=$2
  shift 2
  rm -f "$OUT/$backend.jsonl"
  timeout $((budget + 30)) "$DIR/node" "$DIR/measure.mjs" --backend "$backend" --data public/data --budget "$budget" --out "$OUT/$backend.jsonl" "$@" 2>"$OUT/$backend.log" >/dev/null
  local rc=$?
  echo "== $backend (exit $rc)"
  cat "$OUT/$backend.jsonl" 2>/dev/null
  [ $rc -eq 0 ] || tail -5 "$OUT/$backend.log"
}
run webgpu 270 "$@"
run wasm 150 "$@"
rm -rf "$DIR"
