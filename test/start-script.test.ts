/**
 * `npm start` without an Electron binary: one clear line, then the browser-hosted window.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');

describe('npm start (scripts/start.mjs)', () => {
  it('says in one line that Electron is missing and serves the debugging window through the browser host', async function () {
    this.timeout(20000);
    // Points the binary lookup at a folder that does not exist, so the result does not depend
    // on whether this machine has an Electron binary.
    const child = spawn(process.execPath, [path.join(root, 'scripts/start.mjs')], {
      cwd: root,
      env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: path.join(root, 'no-such-electron') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed; output so far: ${out}`)), 15000);
        child.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /^(http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{32})$/m.exec(out);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
      });
      const lines = out.trim().split('\n');
      expect(lines[0]).to.match(/^npm start: no Electron binary here \(.+\), so starting the browser host instead/);
      const page = await fetch(url.replace(/#.*$/, ''));
      expect(page.status).to.equal(200);
      expect(await page.text()).to.match(/<html/i);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).to.be.oneOf([0, null]);
  });
});
