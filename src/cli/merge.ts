/**
 * `npm run merge -- SHARD.json … [--out all.json]`: combines the results files of `npm run experiment --
 * SPEC --shard i/n` (i = 1 … n) into the file the whole experiment would have written, comparisons computed
 * here. Shards that do not fit together (missing, duplicate, foreign, damaged) are refused with every
 * reason, each naming its files: exit code 2.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError, checkOut } from './args';
import { formatResult } from './result';
import { MergeError, mergeShards } from './shard';
import { exitWith, writeJson } from './stdio';

const USAGE = `Usage: npm run merge -- SHARD.json … [--out FILE]

Combines the shards of one experiment (npm run experiment -- SPEC --shard I/N --out SHARD.json, for I = 1 … N)
into one results file, the same as running the experiment whole, with its comparisons.

  --out FILE    write the JSON to FILE instead of stdout
  -h, --help    print this help

Exit codes: 0 success, 2 shards that cannot be merged (every reason on stderr), 1 unexpected error.`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    throw new MergeError(`${(err as Error).message}\nRun with --help for usage.`);
  }
  if (parsed.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const out = parsed.values.out ?? null;
  if (out !== null) checkOut(out);
  const files = parsed.positionals.map((name) => {
    try {
      return { name, text: readFileSync(name, 'utf8') };
    } catch (err) {
      throw new MergeError(`Cannot read ${name}: ${(err as Error).message}`);
    }
  });
  const result = mergeShards(files);
  console.error(`Merged ${files.length} shard${files.length === 1 ? '' : 's'}: ${result.runs.length} runs, ${result.comparisons.length} comparison${result.comparisons.length === 1 ? '' : 's'}.`);
  writeJson(formatResult(result), out);
  return 0;
}

exitWith(main(process.argv.slice(2)), (err) => err instanceof MergeError || err instanceof UsageError);
