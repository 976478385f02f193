/**
 * How the end-to-end suites and the browser bench run Debian's Chromium: headless, no sandbox
 * (containers), nothing that phones home or competes for the loopback WebSocket's CPU.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-proxy-server',
];

/** Throws a clear error when Chromium is missing (.ci/run installs Debian's `chromium`). */
export function requireChromium(): string {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install chromium (or set CHROMIUM_PATH)`);
  }
  return CHROMIUM_PATH;
}

/** Builds dist/browser/ (the page bundle) with esbuild, so tests never run a stale one. */
export async function buildPageBundle(): Promise<void> {
  const script = path.resolve(__dirname, '../../../scripts/build-browser.mjs');
  const mod = (await import(pathToFileURL(script).href)) as { buildBrowser: () => Promise<unknown> };
  await mod.buildBrowser();
}
