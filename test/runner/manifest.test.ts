/** Loading a Chrome App: what is a packaged app, its id, its locales; the page-runtime injection. */
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromeAppId } from '../../main/app-id';
import { recordLaunch } from '../../main/runner/app-data';
import { generatedBackgroundPage, injectRuntime, RUNTIME_SCRIPT } from '../../main/runner/browser-runner';
import { parseRunArgs } from '../../main/runner/cli';
import { appIdFor, loadChromeApp, ManifestError } from '../../main/runner/manifest';
import { formatMessage } from '../../preload/app-runtime/i18n';

describe('runner: loading a Chrome App', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ecs-manifest-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  async function manifest(m: unknown): Promise<void> {
    await fs.writeFile(path.join(dir, 'manifest.json'), JSON.stringify(m));
  }

  const app = { manifest_version: 2, name: 'A', version: '1.2', app: { background: { scripts: ['bg.js'] } } };

  it('loads a packaged app: id from the directory path, permissions by name, the generated background page', async () => {
    await manifest({ ...app, permissions: ['storage', { fileSystem: ['write'] }], sockets: { tcp: { connect: '*:23' } } });
    const loaded = loadChromeApp(dir);
    expect(loaded.id).to.equal(chromeAppId(path.resolve(dir)));
    expect(loaded.id).to.match(/^[a-p]{32}$/);
    expect(loaded.permissions).to.deep.equal(['storage', 'fileSystem']);
    expect(loaded.backgroundPath).to.equal('/_generated_background_page.html');
    expect(loaded.sockets).to.deep.equal({ tcp: { connect: '*:23' } });
  });

  it('takes the id from the manifest key (base64 DER) when there is one', async () => {
    const key = Buffer.from('a public key, DER bytes').toString('base64');
    await manifest({ ...app, key });
    expect(loadChromeApp(dir).id).to.equal(chromeAppId(Buffer.from(key, 'base64')));
    expect(appIdFor(dir, key)).to.not.equal(appIdFor(dir, undefined));
  });

  const refusals: Array<[string, Record<string, unknown>, string]> = [
    ['manifest_version 3', { ...app, manifest_version: 3 }, 'manifest_version: packaged apps need 2 (found 3)'],
    [
      'an extension',
      { manifest_version: 2, name: 'E', version: '1', background: { scripts: ['b.js'] } },
      'app: missing; this manifest is an extension',
    ],
    [
      'a hosted app',
      { manifest_version: 2, name: 'H', version: '1', app: { launch: { web_url: 'https://example.com' } } },
      'app.launch: this is a hosted app',
    ],
    ['no background', { ...app, app: {} }, 'app.background: missing'],
    ['no version', { ...app, version: undefined }, 'version: required'],
    ['a bad sockets pattern', { ...app, sockets: { tcp: { connect: 'a:b:c' } } }, "sockets: Invalid host:port pattern 'a:b:c'"],
  ];
  for (const [what, m, text] of refusals) {
    it(`refuses ${what}, naming the field`, async () => {
      await manifest(m);
      expect(() => loadChromeApp(dir))
        .to.throw(ManifestError)
        .with.property('message')
        .that.includes(text);
    });
  }

  it('localises __MSG_…__ in the manifest from _locales, falling back to default_locale', async () => {
    await manifest({ ...app, name: '__MSG_title__', default_locale: 'en' });
    await fs.mkdir(path.join(dir, '_locales', 'en'), { recursive: true });
    await fs.mkdir(path.join(dir, '_locales', 'fr'), { recursive: true });
    await fs.writeFile(
      path.join(dir, '_locales', 'en', 'messages.json'),
      JSON.stringify({ Title: { message: 'Hello' }, only: { message: 'en' } }),
    );
    await fs.writeFile(path.join(dir, '_locales', 'fr', 'messages.json'), JSON.stringify({ title: { message: 'Bonjour' } }));
    expect(loadChromeApp(dir, { uiLocale: 'fr-CA' }).name).to.equal('Bonjour');
    expect(loadChromeApp(dir, { uiLocale: 'fr-CA' }).messages.only.message).to.equal('en');
    expect(loadChromeApp(dir, { uiLocale: 'de' }).name).to.equal('Hello');
  });

  it("formats messages with Chrome's rules: named placeholders, $1…$9, $$", () => {
    const message = { message: 'Hi $USER$, $1 of $2 costs $$3 $9', placeholders: { user: { content: '[$1]' } } };
    expect(formatMessage(message, ['Ann', '7'])).to.equal('Hi [Ann], Ann of 7 costs $3 ');
  });

  it('records launches: install, then nothing, then update with the previous version', async () => {
    expect(await recordLaunch(dir, '1.0')).to.deep.equal({ installReason: 'install' });
    expect(await recordLaunch(dir, '1.0')).to.deep.equal({});
    expect(await recordLaunch(dir, '1.1')).to.deep.equal({ installReason: 'update', previousVersion: '1.0' });
  });

  it('puts the runtime script first in <head>, and the generated background page loads the scripts in order', () => {
    const tag = `<script src="${RUNTIME_SCRIPT}"></script>`;
    expect(injectRuntime('<!doctype html><html lang="en"><head><title>x</title></head></html>')).to.equal(
      `<!doctype html><html lang="en"><head>${tag}<title>x</title></head></html>`,
    );
    expect(injectRuntime('<!DOCTYPE html><p>bare')).to.equal(`<!DOCTYPE html>${tag}<p>bare`);
    const page = generatedBackgroundPage(['a.js', 'lib/b c.js']);
    expect(page.indexOf(tag)).to.be.lessThan(page.indexOf('<script src="/a.js">'));
    expect(page.indexOf('<script src="/a.js">')).to.be.lessThan(page.indexOf('<script src="/lib/b%20c.js">'));
  });

  it('parses the run command line', () => {
    const io = { out: () => undefined, err: () => undefined };
    expect(parseRunArgs(['app', '--browser', '--port', '8080', '--data-dir', '/tmp/d'], io)).to.deep.equal({
      appDir: path.resolve('app'),
      browser: true,
      port: 8080,
      dataDir: '/tmp/d',
      ca: [],
    });
    expect(() => parseRunArgs([], io)).to.throw('Give the app directory');
    expect(() => parseRunArgs(['a', '--port', 'x'], io)).to.throw("Invalid --port 'x'");
  });
});
