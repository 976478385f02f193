/**
 * The Chromium finder of the end-to-end suites: CHROMIUM_PATH, then a system Chromium, then the one
 * shipped inside the @sparticuz/chromium npm package, which must really run on this machine.
 */
import { expect } from 'chai';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, locateChromium, npmChromium, systemChromiumCandidates, type ChromiumSearch } from '../support/chromium';

describe('test support: finding Chromium', () => {
  let dir: string;
  let systemBrowser: string;
  let configuredBrowser: string;
  const npm = async (): Promise<{ executablePath: string; libraryPath: string }> => ({
    executablePath: '/pkg/chromium',
    libraryPath: '/pkg/lib',
  });
  const none = async (): Promise<undefined> => undefined;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ecs-finder-'));
    const executable = (name: string): string => {
      const file = path.join(dir, name);
      writeFileSync(file, '#!/bin/sh\n');
      chmodSync(file, 0o755);
      return file;
    };
    systemBrowser = executable('chromium');
    configuredBrowser = executable('my-chrome');
    writeFileSync(path.join(dir, 'not-executable'), '');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const search = (overrides: Partial<ChromiumSearch>): ChromiumSearch => ({
    env: {},
    systemCandidates: [systemBrowser],
    npm,
    ...overrides,
  });

  it('takes CHROMIUM_PATH first, over a system Chromium', async () => {
    const found = await locateChromium(search({ env: { CHROMIUM_PATH: configuredBrowser } }));
    expect(found).to.include({ executablePath: configuredBrowser, source: 'CHROMIUM_PATH' });
  });

  it('fails clearly when CHROMIUM_PATH names no executable, instead of silently taking another browser', async () => {
    const missing = path.join(dir, 'missing');
    let error: Error | undefined;
    await locateChromium(search({ env: { CHROMIUM_PATH: missing } })).catch((e: Error) => (error = e));
    expect(error?.message).to.equal(`CHROMIUM_PATH is ${missing}, which is not an executable file`);
  });

  it('takes the first executable system Chromium next, skipping files that cannot run', async () => {
    const found = await locateChromium(
      search({ systemCandidates: [path.join(dir, 'not-executable'), path.join(dir, 'nope'), systemBrowser] }),
    );
    expect(found).to.include({ executablePath: systemBrowser, source: 'system' });
  });

  it("looks for the system Chromium under each of Debian's and Chrome's names on PATH", () => {
    expect(systemChromiumCandidates(['/a', '/b'].join(path.delimiter))).to.deep.equal([
      '/a/chromium',
      '/b/chromium',
      '/a/chromium-browser',
      '/b/chromium-browser',
      '/a/google-chrome-stable',
      '/b/google-chrome-stable',
      '/a/google-chrome',
      '/b/google-chrome',
    ]);
  });

  it('falls back to the npm Chromium, launched with its own libraries first on the library path', async () => {
    const found = await locateChromium(search({ systemCandidates: [], env: { LD_LIBRARY_PATH: '/usr/local/lib', HOME: '/h' } }));
    expect(found).to.deep.equal({
      executablePath: '/pkg/chromium',
      env: { LD_LIBRARY_PATH: '/pkg/lib:/usr/local/lib', HOME: '/h' },
      source: 'npm',
    });
  });

  it('says what to do when there is no Chromium at all', async () => {
    let error: Error | undefined;
    await locateChromium(search({ systemCandidates: [], npm: none })).catch((e: Error) => (error = e));
    expect(error?.message).to.match(/^No Chromium found: CHROMIUM_PATH is not set, .*@sparticuz\/chromium.*apt-get install chromium/);
  });

  it('unpacks the npm-shipped Chromium, which runs here and executes a page', async function () {
    // The first run unpacks ~190 MB of brotli; later runs reuse node_modules/.cache.
    this.timeout(300_000);
    const shipped = await npmChromium();
    if (shipped === undefined) throw new Error('@sparticuz/chromium is a devDependency and must be installed');
    const found = await locateChromium({ env: process.env, systemCandidates: [], npm: async () => shipped });
    expect(found.source).to.equal('npm');
    const browser = await chromium.launch({ executablePath: found.executablePath, env: found.env, args: [...CHROMIUM_ARGS] });
    try {
      const page = await browser.newPage();
      await page.setContent('<p id="p"></p><script>document.getElementById("p").textContent = String(6 * 7)</script>');
      expect(await page.locator('#p').textContent()).to.equal('42');
      expect(browser.version()).to.match(/^\d+\./);
    } finally {
      await browser.close();
    }
  });
});
