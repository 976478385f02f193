/**
 * A mocha root hook plugin (loaded by .mocharc.json): after every top-level `describe` (one per
 * test file, in practice) has run its own `after` hooks, the process must hold no more handles
 * than before it — no socket, server, UDP socket, MessagePort (a page context's port or a facade's),
 * child process or timer left behind. Closing is asynchronous, so a difference is given until
 * it settles (`LEAK_SETTLE_MS`) before it fails the suite, naming what was left.
 */
import type { Context, RootHookObject, Suite } from 'mocha';

/** How long a suite's resources get to finish closing after its last hook. */
export const LEAK_SETTLE_MS = 5000;

/** Requests that come and go on their own (file system, DNS) are not held resources. */
const TRANSIENT = new Set([
  'FSReqCallback',
  'FSReqPromise',
  'FileHandleCloseReq',
  'GetAddrInfoReqWrap',
  'GetNameInfoReqWrap',
  'Immediate',
  'CloseReq',
]);

/** Counts of held resources by kind (`process.getActiveResourcesInfo()`, transient ones left out). */
export function heldResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) {
    if (!TRANSIENT.has(kind)) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return counts;
}

/** What `after` holds beyond `before`, as `kind +n` entries; empty when nothing was left. */
export function leaked(before: Map<string, number>, after: Map<string, number>): string[] {
  const out: string[] = [];
  for (const [kind, count] of after) {
    const extra = count - (before.get(kind) ?? 0);
    if (extra > 0) out.push(`${kind} +${extra}`);
  }
  return out.sort();
}

/** Waits (one macrotask turn at a time, so closes complete) until nothing is left or time is up. */
export async function settledLeaks(before: Map<string, number>, settleMs = LEAK_SETTLE_MS): Promise<string[]> {
  const deadline = Date.now() + settleMs;
  let left = leaked(before, heldResources());
  while (left.length > 0 && Date.now() < deadline) {
    // A timer of our own would count as a held Timeout; setImmediate is transient.
    await new Promise<void>((resolve) => setImmediate(resolve));
    left = leaked(before, heldResources());
  }
  return left;
}

let baseline: Map<string, number> | undefined;

function checkAfter(suite: Suite): void {
  suite.afterAll(`leak check: ${suite.title} leaves no handle behind`, async function (this: Context) {
    this.timeout(LEAK_SETTLE_MS + 5000);
    const left = await settledLeaks(baseline!);
    // The next suite is measured from here, so one leak is reported once, by the suite that made it.
    baseline = heldResources();
    if (left.length > 0) {
      throw new Error(`"${suite.title}" (${suite.file ?? 'unknown file'}) left resources open after its hooks ran: ${left.join(', ')}`);
    }
  });
}

export const mochaHooks: RootHookObject = {
  beforeAll(this: Context) {
    baseline = heldResources();
    const root = this.test?.parent;
    if (root === undefined) return;
    for (const suite of root.suites) checkAfter(suite);
  },
};
