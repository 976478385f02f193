import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { serve } from '../../main/browser-host/cli';
import type { BrowserHost } from '../../main/browser-host/server';
import { spawnGroup, stopGroup } from '../support/process-group';

const BIN = path.resolve(__dirname, '../../../bin/electron-chrome-sockets.js');

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

describe('electron-chrome-sockets serve', () => {
  const cleanups: Array<() => unknown> = [];
  let out: string[];
  let err: string[];
  const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };

  beforeEach(() => {
    out = [];
    err = [];
  });

  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
  });

  async function run(...argv: string[]): Promise<BrowserHost | undefined> {
    const host = await serve(argv, io);
    if (host) cleanups.push(() => host.close());
    return host;
  }

  async function manifestFile(manifest: unknown): Promise<string> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ecs-manifest-'));
    cleanups.push(() => fs.rm(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'manifest.json');
    await fs.writeFile(file, JSON.stringify(manifest));
    return file;
  }

  it('prints exactly one URL, with the token in its fragment', async () => {
    const host = await run('--allow-all');
    expect(out).to.deep.equal([host!.url]);
    expect(host!.url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{32}$/);
    expect(err).to.deep.equal([]);
  });

  it('listens on --port', async () => {
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    const free = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const host = await run('--port', String(free), '--allow-all');
    expect(host!.port).to.equal(free);
  });

  it('says when pages get no permissions', async () => {
    await run();
    expect(err.join('\n')).to.match(/no --manifest or --allow-all/);
  });

  it('reads the "sockets" section of --manifest', async () => {
    const file = await manifestFile({ name: 'app', sockets: { tcp: { connect: '127.0.0.1:*' } } });
    const host = await run('--manifest', file, '--app', 'my-app');
    expect(host).to.not.equal(undefined);
    expect(err).to.deep.equal([]);
  });

  it("rejects a manifest with a bad pattern with Chrome's message", async () => {
    const file = await manifestFile({ sockets: { tcp: { connect: 'a:b:c' } } });
    let error: unknown;
    await run('--manifest', file).catch((e: unknown) => (error = e));
    expect(String(error)).to.contain("Invalid host:port pattern 'a:b:c'");
  });

  it('rejects a manifest without a "sockets" section, and bad arguments', async () => {
    const file = await manifestFile({ name: 'app' });
    const failures: string[] = [];
    for (const argv of [['--manifest', file], ['--port', 'x'], ['--port', '70000'], ['--bogus'], ['--allow-all', '--manifest', file]]) {
      await run(...argv).then(
        () => failures.push(`accepted ${argv.join(' ')}`),
        (e: unknown) => failures.push(String(e)),
      );
    }
    expect(failures[0]).to.match(/no "sockets" section/);
    expect(failures[1]).to.match(/Invalid --port 'x'/);
    expect(failures[2]).to.match(/Invalid --port '70000'/);
    expect(failures[3]).to.match(/Unknown option '--bogus'/);
    expect(failures[4]).to.match(/not both/);
  });

  it('prints usage for --help', async () => {
    expect(await run('--help')).to.equal(undefined);
    expect(out.join('\n')).to.match(/--allow-origin <url>/);
  });

  it('runs from the bin, serves its page and stops on SIGTERM', async function () {
    this.timeout(15_000);
    const child = spawnGroup(process.execPath, [BIN, 'serve', '--allow-all'], { stdio: ['ignore', 'pipe', 'pipe'] });
    // afterEach, so it runs on a timeout too; a no-op once the host ended on the test's SIGTERM.
    cleanups.push(() => stopGroup(child));
    const url = await new Promise<string>((resolve, reject) => {
      readline.createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
    });
    expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{32}$/);
    expect(await get(url)).to.equal(200);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).to.equal(0);
  });
});
