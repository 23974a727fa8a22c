/**
 * What the runner's commands (experiment.ts, merge.ts) share about their output: stdout holds the JSON and
 * nothing else; progress, notes and errors go to stderr; bad input exits 2, anything unexpected 1.
 */
import { writeFileSync } from 'node:fs';

/**
 * Keeps stdout for the JSON alone: tfjs (and anything else) logging with console.log would otherwise
 * corrupt it, so console.log goes to stderr. tfjs's "Hi, looks like you are running TensorFlow.js in
 * Node.js" banner (console.warn, i.e. stderr already, on the cpu backend's first use) is dropped: the
 * runner knows, and tfjs-node is not an option here. Called in the main thread and in every training
 * thread (a worker thread's stdout is the process's).
 */
export function guardStdout(): void {
  console.log = (...args: unknown[]) => console.error(...args);
  const warn = console.warn.bind(console);
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('looks like you are running TensorFlow.js in Node.js')) return;
    warn(...args);
  };
}

/** The JSON to `out`, or to stdout when there is none. */
export function writeJson(json: string, out: string | null): void {
  if (out === null) {
    process.stdout.write(json);
    return;
  }
  writeFileSync(out, json);
  console.error(`Wrote ${out}`);
}

/** Runs a command's main and sets the exit code: 2 with the message alone for bad input, else 1 with the error. */
export function exitWith(main: Promise<number>, isBadInput: (err: unknown) => err is Error): void {
  main.then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      if (isBadInput(err)) {
        console.error(err.message);
        process.exitCode = 2;
      } else {
        console.error('Unexpected error:', err);
        process.exitCode = 1;
      }
    },
  );
}
