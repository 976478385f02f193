/**
 * The leak check every suite gets (test/support/leak-check.ts, a mocha root hook): it must see a
 * resource left open, name its kind, and forget it once it is closed.
 */
import { expect } from 'chai';
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { MessageChannel } from 'node:worker_threads';
import { heldResources, leaked, settledLeaks } from '../support/leak-check';

describe('test support: the leak check after every suite', () => {
  it('names a server, a UDP socket and a MessagePort left open, and nothing once they are closed', async () => {
    const before = heldResources();
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const { port1, port2 } = new MessageChannel();
    port1.on('message', () => {});
    try {
      // (Timers are counted too, but mocha's own come and go while a test runs.)
      const left = (await settledLeaks(before, 200)).filter((kind) => !kind.startsWith('Timeout'));
      expect(left).to.deep.equal(['MessagePort +1', 'TCPServerWrap +1', 'UDPWrap +1']);
    } finally {
      port1.close();
      port2.close();
      udp.close();
      server.close();
    }
    expect((await settledLeaks(before)).filter((kind) => !kind.startsWith('Timeout'))).to.deep.equal([]);
  });

  it('counts by kind, so closing one of two servers still leaves one reported', () => {
    expect(
      leaked(
        new Map([['TCPServerWrap', 1]]),
        new Map([
          ['TCPServerWrap', 2],
          ['TTYWrap', 1],
        ]),
      ),
    ).to.deep.equal(['TCPServerWrap +1', 'TTYWrap +1']);
    expect(leaked(new Map([['TCPServerWrap', 2]]), new Map([['TCPServerWrap', 1]]))).to.deep.equal([]);
  });
});
