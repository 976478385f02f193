/**
 * The host operations behind the other socket APIs (the `raw` namespace), driven over a real
 * MessageChannel: half-close, pull reads of at most n bytes, accepted sockets that read at once,
 * writes answered when the OS took the bytes, ownership by the page context.
 */
import { expect } from 'chai';
import * as net from 'node:net';
import type { RawCallError } from '../../preload/raw-client';
import { bytes, nextConnection, openRawHost, peerWrite, quiet, readAll, settled, tcpServer, useCleanup, waitFor } from './helpers';
import { hostInternals } from '../../main/host';

describe('host raw namespace', () => {
  const cleanup = useCleanup();

  describe('#tcpShutdown', () => {
    it('sends a FIN the peer sees as EOF while data still flows back', async () => {
      const { client } = openRawHost(cleanup);
      const { server, port } = await tcpServer(cleanup, () => {}, { allowHalfOpen: true });
      const accepted = nextConnection(server);
      const info = await client.request('tcpConnect', [{ host: '127.0.0.1', port }]);
      const peer = await accepted;
      const received: Buffer[] = [];
      let ended = false;
      client.listen(info.socketId, { onData: (d) => received.push(Buffer.from(d)), onEnd: () => (ended = true) });
      const peerGot = readAll(peer);
      await client.request('tcpWrite', [info.socketId, new TextEncoder().encode('request').buffer]);
      await client.request('tcpShutdown', [info.socketId]);
      expect((await peerGot).toString()).to.equal('request');
      // The peer answers after our FIN: the half-open socket still receives.
      peer.end('answer after EOF');
      await waitFor(() => ended, 'peer FIN');
      expect(Buffer.concat(received).toString()).to.equal('answer after EOF');
    });
  });

  describe('#read (pull)', () => {
    it('delivers at most the granted bytes and holds the rest until more is granted', async () => {
      const { client, host } = openRawHost(cleanup);
      const { server, port } = await tcpServer(cleanup);
      const accepted = nextConnection(server);
      const info = await client.request('tcpConnect', [{ host: '127.0.0.1', port, pull: true }]);
      const peer = await accepted;
      const got: number[] = [];
      client.listen(info.socketId, { onData: (d) => got.push(d.byteLength) });
      await peerWrite(peer, bytes(10_000));
      await client.request('read', [info.socketId, 3]);
      await waitFor(() => got.length === 1, 'first read');
      // The other 9 997 bytes are in the socket's queue: a host reading past the grant would send them before these answers.
      await quiet(() => client.request('getInfo', [info.socketId]));
      expect(got).to.deep.equal([3]);
      await client.request('read', [info.socketId, 9_997]);
      await waitFor(() => got.reduce((a, b) => a + b, 0) === 10_000, 'the rest');
      const socket = hostInternals(host).registries.raw.get(
        info.socketId,
        [...hostInternals(host).registries.raw.all()][0].app,
      ) as unknown as { credit: number };
      expect(socket.credit).to.equal(0);
    });

    it('stops reading the socket when the credit is spent: a flooding peer is held by TCP', async () => {
      const { client, host } = openRawHost(cleanup);
      let written = 0;
      const total = 64 * 1024 * 1024;
      const { port } = await tcpServer(cleanup, (peer) => {
        const chunk = Buffer.alloc(256 * 1024, 7);
        const pump = (): void => {
          while (written < total) {
            written += chunk.length;
            if (!peer.write(chunk)) return void peer.once('drain', pump);
          }
        };
        pump();
      });
      const info = await client.request('tcpConnect', [{ host: '127.0.0.1', port, pull: true }]);
      let received = 0;
      client.listen(info.socketId, { onData: (d) => (received += d.byteLength) });
      await client.request('read', [info.socketId, 65536]);
      await waitFor(() => received === 65536, 'the granted bytes');
      const stalled = await settled(() => written);
      expect(received).to.equal(65536);
      // Kernel buffers on both ends plus one Node chunk: far below what the peer wanted to send.
      expect(stalled).to.be.below(total / 2);
      const socket = hostInternals(host).registries.raw.all()[0] as unknown as { heldBytes: number };
      expect(socket.heldBytes).to.be.at.most(1024 * 1024);
    });
  });

  describe('#listen', () => {
    it('push mode: an accepted socket reads at once, its accept event ahead of its data', async () => {
      const { client } = openRawHost(cleanup);
      const order: string[] = [];
      const listening = await client.request('listen', [{ host: '127.0.0.1', port: 0 }]);
      client.listen(listening.socketId, {
        onAccept: (a) => {
          order.push('accept');
          client.listen(a.clientId, { onData: (d) => order.push(Buffer.from(d).toString()) });
        },
      });
      const peer = net.connect(listening.localPort, '127.0.0.1');
      cleanup.add(() => peer.destroy());
      peer.write('hello');
      await waitFor(() => order.length === 2, 'accept and data');
      expect(order).to.deep.equal(['accept', 'hello']);
      await client.request('close', [listening.socketId]);
    });

    it('pull mode: an accepted socket reads nothing until granted', async () => {
      const { client } = openRawHost(cleanup);
      const data: string[] = [];
      let clientId = 0;
      const listening = await client.request('listen', [{ host: '127.0.0.1', port: 0, pull: true }]);
      client.listen(listening.socketId, {
        onAccept: (a) => {
          clientId = a.clientId;
          client.listen(a.clientId, { onData: (d) => data.push(Buffer.from(d).toString()) });
        },
      });
      const peer = net.connect(listening.localPort, '127.0.0.1');
      cleanup.add(() => peer.destroy());
      await peerWrite(peer, 'held');
      await waitFor(() => clientId !== 0, 'accept');
      await quiet(() => client.request('getInfo', [clientId]));
      expect(data).to.deep.equal([]);
      await client.request('read', [clientId, 100]);
      await waitFor(() => data.length === 1, 'data');
      expect(data).to.deep.equal(['held']);
    });
  });

  describe('#tcpWrite', () => {
    it('answers only when the OS took the bytes: a peer that never reads stalls the writer at a few MiB', async () => {
      const { client } = openRawHost(cleanup);
      const { server, port } = await tcpServer(cleanup);
      const accepted = nextConnection(server);
      const info = await client.request('tcpConnect', [{ host: '127.0.0.1', port }]);
      const peer = await accepted;
      peer.pause();
      let acknowledged = 0;
      let stop = false;
      cleanup.add(() => (stop = true));
      // One write in flight at a time, as a WritableStream with highWaterMark 1 does.
      void (async () => {
        while (!stop && acknowledged < 256 * 1024 * 1024) {
          try {
            await client.request('tcpWrite', [info.socketId, new ArrayBuffer(64 * 1024)]);
          } catch {
            return;
          }
          acknowledged += 64 * 1024;
        }
      })();
      const stalled = await settled(() => acknowledged);
      expect(stalled).to.be.above(0);
      expect(stalled).to.be.below(32 * 1024 * 1024);
    });

    it('reports a reset as onError (ERR_CONNECTION_RESET) then onClose, and the id is gone', async () => {
      const { client } = openRawHost(cleanup);
      const { server, port } = await tcpServer(cleanup);
      const accepted = nextConnection(server);
      const info = await client.request('tcpConnect', [{ host: '127.0.0.1', port }]);
      const events: string[] = [];
      client.listen(info.socketId, { onError: (e) => events.push(`error ${e.resultCode}`), onClose: () => events.push('close') });
      (await accepted).resetAndDestroy();
      await waitFor(() => events.includes('close'), 'close');
      expect(events).to.deep.equal(['error -101', 'close']);
      const error = (await client.request('tcpWrite', [info.socketId, new ArrayBuffer(1)]).catch((e) => e)) as RawCallError;
      expect(error.message).to.equal('Socket not found');
    });
  });

  describe('errors and permissions', () => {
    it('reports a refused connection as ERR_CONNECTION_REFUSED', async () => {
      const { client } = openRawHost(cleanup);
      const { server, port } = await tcpServer(cleanup);
      await new Promise((r) => server.close(r));
      const error = (await client.request('tcpConnect', [{ host: '127.0.0.1', port }]).catch((e) => e)) as RawCallError;
      expect(error.resultCode).to.equal(-102);
    });

    it('applies the manifest sockets section to connect, listen and bind', async () => {
      const { client } = openRawHost(cleanup, { sockets: { tcp: { connect: '127.0.0.1:1' } } });
      const connect = (await client.request('tcpConnect', [{ host: '127.0.0.1', port: 2 }]).catch((e) => e)) as RawCallError;
      expect(connect.message).to.equal('Does not have permission');
      const listen = (await client.request('listen', [{ host: '127.0.0.1', port: 0 }]).catch((e) => e)) as RawCallError;
      expect(listen.message).to.equal('Does not have permission');
      const bind = (await client.request('udpOpen', [{ localAddress: '127.0.0.1' }]).catch((e) => e)) as RawCallError;
      expect(bind.message).to.equal('Does not have permission');
    });
  });

  describe('opt-in per attach', () => {
    it('refuses every raw operation to a context attached without apis', async () => {
      const { client } = openRawHost(cleanup, { apis: [] });
      const error = (await client.request('listen', [{ host: '127.0.0.1', port: 0 }]).catch((e) => e)) as RawCallError;
      expect(error.message).to.match(/attach it with apis/);
    });

    it('rejects an unknown api name at attach', () => {
      expect(() => openRawHost(cleanup, { apis: ['carrier-pigeon' as never] })).to.throw(TypeError, /options.apis/);
    });
  });

  describe('ownership', () => {
    it('closes the sockets of a page context when it ends', async () => {
      const raw = openRawHost(cleanup);
      const { server, port } = await tcpServer(cleanup);
      const accepted = nextConnection(server);
      await raw.client.request('tcpConnect', [{ host: '127.0.0.1', port }]);
      const peer = await accepted;
      const ended = new Promise((resolve) => peer.once('end', resolve));
      raw.end();
      await ended;
      expect(hostInternals(raw.host).registries.raw.size).to.equal(0);
    });
  });
});
