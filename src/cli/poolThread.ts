/**
 * A training thread of the runner (pool.ts): trains the runs it was given (workerData: a ThreadJob) and
 * posts their progress after each chunk, then its share of the results.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { guardStdout } from './stdio';
import type { ThreadJob, ThreadMessage } from './pool';
import { initBackend, trainRuns } from './run';

const post = (message: ThreadMessage) => parentPort!.postMessage(message);
const job = workerData as ThreadJob;
guardStdout();
const backend = await initBackend(job.backend, (message) => post({ kind: 'note', message }));
const share = await trainRuns(job.spec, job.runIds, { backend, assets: job.assets, chunkSteps: job.chunkSteps, onProgress: (progress) => post({ kind: 'progress', progress }) });
post({ kind: 'done', share });
