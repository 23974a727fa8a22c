/**
 * The training worker: a Session (session.ts) fed with the page's messages, posting its reports back. The
 * test-only ways a worker dies in the field (e2e/pool.spec.ts) that concern the worker itself, not its
 * training, are carried out here: it exits, or hangs so that it answers nothing, ever.
 */
import { createSession } from './session';
import type { FromWorker, ToWorker } from './protocol';

const session = createSession((message: FromWorker) => self.postMessage(message));

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const command = event.data;
  if (command.type === 'fail' && command.how === 'exit') return self.close();
  if (command.type === 'fail' && command.how === 'hang') for (;;); // a worker stuck in a loop
  session.receive(command);
};
