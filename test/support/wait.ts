/**
 * The one way the suites wait: on a condition, never on the clock. `until` polls until the
 * condition holds and fails naming what it waited for; its deadline is a hang guard, not a speed
 * budget, so it is generous (a loaded 2-core machine stretches everything) and stays below mocha's
 * own 20 s timeout so the failure names the condition.
 */

/** How long `until` waits before it fails (override per call only for waits that are long by nature). */
export const WAIT_TIMEOUT_MS = 15_000;

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` (sync or async) until it returns true; rejects with `what` after `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = WAIT_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(5);
  }
}
