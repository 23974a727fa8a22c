/**
 * The training worker: a Session (session.ts) fed with the page's messages, posting its reports back.
 */
import { createSession } from './session';
import type { FromWorker, ToWorker } from './protocol';

const session = createSession((message: FromWorker) => self.postMessage(message));

self.onmessage = (event: MessageEvent<ToWorker>) => session.receive(event.data);
