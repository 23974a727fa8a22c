/**
 * The `test` every spec uses: Playwright's, with an automatic guard that fails a test on any Content-Security-
 * Policy violation (in a page or in one of its workers) and on any request to another origin. The lab must
 * run entirely from its own origin under its strict policy (scripts/csp.ts); this proves it on every path
 * the suite drives.
 */
import { test as base, expect, type BrowserContext, type ConsoleMessage, type Worker } from '@playwright/test';

/** The console line a page or worker writes for each violation; Chromium's own report is caught too. */
const MARK = 'securitypolicyviolation:';

function listenForViolations(): void {
  self.addEventListener('securitypolicyviolation', (e) => {
    console.error(`securitypolicyviolation: ${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} in ${e.sourceFile || e.documentURI}:${e.lineNumber}`);
  });
}

export class PolicyGuard {
  /** Violations and foreign requests seen so far; the test fails at its end unless this is empty. */
  readonly problems: string[] = [];

  private readonly origins: Set<string>;

  constructor(origin: string) {
    this.origins = new Set([origin]);
  }

  /** Another origin the lab is served from in this test (a static host the test started itself). */
  allow(origin: string): void {
    this.origins.add(origin);
  }

  /** Watches every page of `context`, present and future, and their workers. */
  async watch(context: BrowserContext): Promise<void> {
    await context.addInitScript(listenForViolations);
    const onConsole = (message: ConsoleMessage) => {
      const text = message.text();
      if (text.startsWith(MARK) || /Content Security Policy/i.test(text)) this.problems.push(text);
    };
    const onWorker = (worker: Worker) => {
      worker.on('console', onConsole);
      worker.evaluate(listenForViolations).catch(() => undefined); // a worker that already ended has nothing to report
    };
    context.on('console', onConsole);
    context.on('page', (page) => page.on('worker', onWorker));
    for (const page of context.pages()) page.on('worker', onWorker);
    context.on('request', (request) => {
      const url = new URL(request.url());
      if ((url.protocol === 'http:' || url.protocol === 'https:' || url.protocol.startsWith('ws')) && !this.origins.has(url.origin)) {
        this.problems.push(`request to another origin: ${request.method()} ${request.url()}`);
      }
    });
  }
}

export const test = base.extend<{ policyGuard: PolicyGuard }>({
  policyGuard: [
    async ({ context, baseURL }, use) => {
      const guard = new PolicyGuard(new URL(baseURL!).origin);
      await guard.watch(context);
      await use(guard);
      expect(guard.problems, 'Content-Security-Policy violations and requests to other origins').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
