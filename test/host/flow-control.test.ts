/**
 * Receive flow control: a slow page slows the socket down; nothing is dropped, nothing
 * reordered, and what the host holds for the page stays bounded.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import * as net from 'node:net';
import * as path from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import { SocketsHost } from '../../main/host';
import { hostPortFromNodePort } from '../../main/node-port';
import { ALLOW_ALL_SOCKETS } from '../../main/permissions';
import { createTestHost } from '../../testing';
import { Cleanup, listen, until } from '../support';

const MiB = 1024 * 1024;

/** A deterministic, non-repeating byte stream, hashed as it is produced. */
function streamServer(totalBytes: number, cleanup: Cleanup): Promise<{ port: number; digest: Promise<string> }> {
  let resolveDigest: (hex: string) => void;
  const digest = new Promise<string>((r) => (resolveDigest = r));
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    const hash = createHash('sha256');
    let sent = 0;
    let seed = 0x9e3779b9;
    const pump = (): void => {
      while (sent < totalBytes) {
        const chunk = Buffer.allocUnsafe(Math.min(256 * 1024, totalBytes - sent));
        for (let i = 0; i < chunk.length; i += 4) {
          seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
          chunk.writeUInt32LE(seed, i);
        }
        hash.update(chunk);
        sent += chunk.length;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
      resolveDigest(hash.digest('hex'));
      socket.end();
    };
    pump();
  });
  cleanup.add(() => new Promise((r) => server.close(r)));
  return listen(server).then((port) => ({ port, digest }));
}

describe('receive flow control', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  it('delivers every byte of 64 MiB in order to a slow page in another thread while the host holds a bounded amount', async function () {
    this.timeout(120000);
    const total = 64 * MiB;
    const highWaterMark = 2 * MiB;
    const { port, digest } = await streamServer(total, cleanup);
    const host = new SocketsHost({ flow: { highWaterMark, lowWaterMark: MiB / 2 }, log: () => {} });
    cleanup.add(() => host.dispose());
    const { port1, port2 } = new MessageChannel();
    host.attachPort(hostPortFromNodePort(port1), { app: 'slow', sockets: ALLOW_ALL_SOCKETS, background: true });
    const worker = new Worker(path.join(__dirname, 'fixtures', 'slow-page-worker.js'), {
      workerData: { port, facadePort: port2, spinMs: 3, every: 16, bufferSize: 65536 },
      transferList: [port2],
    });
    cleanup.add(() => worker.terminate());

    let maxUnacked = 0;
    let sawFlowPause = false;
    const sampler = setInterval(() => {
      const snapshot = host.inspect();
      maxUnacked = Math.max(maxUnacked, ...snapshot.contexts.map((c) => c.unackedBytes));
      sawFlowPause ||= snapshot.sockets.some((s) => s.pausedBy.includes('flow'));
    }, 2);
    cleanup.add(() => clearInterval(sampler));
    const result = await new Promise<{ received: number; digest: string; resultCode: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });

    expect(result.resultCode).to.equal(-100);
    expect(result.received).to.equal(total);
    expect(result.digest).to.equal(await digest);
    expect(sawFlowPause, 'the host paused the socket for flow control at least once').to.equal(true);
    // The host stops reading once over the mark; a read and a batch may still be on the way.
    expect(maxUnacked).to.be.at.most(highWaterMark + 2 * MiB);
  });

  it("keeps the app's pause and the flow pause apart: a flow resume does not undo setPaused(true)", async function () {
    this.timeout(20000);
    const { port } = await streamServer(8 * MiB, cleanup);
    const t = await createTestHost({ flow: { highWaterMark: 256 * 1024, lowWaterMark: 64 * 1024 } });
    cleanup.add(() => t.close());
    const tcp = t.chrome.sockets.tcp as any;
    let received = 0;
    let pausedAt = -1;
    const { socketId } = await tcp.create({ bufferSize: 65536 });
    tcp.onReceive.addListener((info: { data: ArrayBuffer }) => {
      received += info.data.byteLength;
      if (pausedAt < 0 && received >= MiB) {
        pausedAt = received;
        tcp.setPaused(socketId, true);
      }
    });
    await tcp.connect(socketId, '127.0.0.1', port);
    await until(() => pausedAt >= 0, 'the app to pause after 1 MiB');
    // The host handles a port's calls in order, so after this answer it has taken setPaused(true),
    // and the events it sent before the answer have been delivered.
    await tcp.getInfo(socketId);
    const snapshot = t.host.inspect().sockets.find((s) => s.id === socketId)!;
    expect(snapshot.paused).to.equal(true);
    expect(snapshot.pausedBy).to.include('app');
    const stalledAt = received;
    for (let i = 0; i < 2; i++) await tcp.getSockets();
    expect(received, 'no data while the app holds the pause').to.equal(stalledAt);
    // What arrived after the pause is at most what was already in flight (Chrome allows one more read).
    expect(received - pausedAt).to.be.at.most(2 * MiB);
    await tcp.setPaused(socketId, false);
    await until(() => received >= 8 * MiB, 'the whole stream after resuming');
    expect(received).to.equal(8 * MiB);
  });
});
