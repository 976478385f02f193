/**
 * Issue 9 item 10: chrome.runtime.id, Chrome's 32-letter id (crx_file::id_util::GenerateId),
 * stable per app, given by the attach options or derived from the app name.
 */
import { expect } from 'chai';
import { MessageChannel } from 'node:worker_threads';
import { PROTOCOL_VERSION } from '../../common/protocol';
import { chromeAppId } from '../../main/app-id';
import { hostPortFromNodePort } from '../../main/node-port';
import { createChromeSockets } from '../../preload/facade';
import { pagePortFromMessagePort } from '../../preload/page-port';
import { createTestHost } from '../../testing';
import { Cleanup, newHost } from '../support';

describe('chrome.runtime.id (issue 9 item 10)', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  describe('chromeAppId', () => {
    // Chromium's id_util_unittest.cc GenerateID cases.
    it('matches Chromium’s GenerateId', () => {
      expect(chromeAppId('test')).to.equal('jpignaibiiemhngfjkcpokkamffknabf');
      expect(chromeAppId('_')).to.equal('ncocknphbhhlhkikpnnlmbcnbgdempcd');
      expect(chromeAppId('this_string_is_longer_than_a_single_sha256_hash_digest')).to.equal('jimneklojkjdibfkgiiophfhjhbdgcfi');
    });

    it('hashes bytes as given and strings as UTF-8', () => {
      expect(chromeAppId(new TextEncoder().encode('test'))).to.equal(chromeAppId('test'));
      expect(chromeAppId('bücher')).to.equal(chromeAppId(Buffer.from('bücher', 'utf8')));
      expect(chromeAppId('bücher')).to.match(/^[a-p]{32}$/);
    });
  });

  it('is a string in the test host from the start: libraries that check at load time see a Chrome App', async () => {
    const t = await createTestHost({ app: 'my-app' });
    cleanup.add(() => t.close());
    expect(typeof t.chrome.runtime.id).to.equal('string');
    expect(t.chrome.runtime.id).to.equal(chromeAppId('my-app'));
  });

  it('takes the id from the options, and is stable for one app across hosts', async () => {
    const given = 'abcdefghijklmnopabcdefghijklmnop';
    const a = await createTestHost({ app: 'x', appId: given });
    cleanup.add(() => a.close());
    expect(a.chrome.runtime.id).to.equal(given);
    const b = await createTestHost({ app: 'x' });
    const c = await createTestHost({ app: 'x' });
    cleanup.add(() => b.close());
    cleanup.add(() => c.close());
    expect(b.chrome.runtime.id).to.equal(c.chrome.runtime.id);
  });

  it('refuses an appId that is not 32 letters a–p', () => {
    const host = newHost({}, cleanup);
    for (const appId of ['ABCDEFGHIJKLMNOPABCDEFGHIJKLMNOP', 'qbcdefghijklmnopabcdefghijklmnop', 'abc', '']) {
      const { port1 } = new MessageChannel();
      cleanup.add(() => port1.close());
      expect(() => host.attachPort(hostPortFromNodePort(port1), { app: 'a', appId }), appId).to.throw(TypeError, /appId/);
    }
  });

  it('reaches a facade that was not given it with the host’s welcome, the first message of the page', async () => {
    const host = newHost({}, cleanup);
    const { port1, port2 } = new MessageChannel();
    host.attachPort(hostPortFromNodePort(port1), { app: 'welcomed' });
    cleanup.add(() => port2.close());
    const first = new Promise<unknown>((resolve) => port2.once('message', resolve));
    const chrome = createChromeSockets(pagePortFromMessagePort(port2 as never));
    expect(chrome.runtime.id).to.equal(undefined);
    expect(await first).to.deep.equal({ t: 'w', v: PROTOCOL_VERSION, appId: chromeAppId('welcomed') });
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(chrome.runtime.id).to.equal(chromeAppId('welcomed'));
  });
});
