/**
 * Issue 9 item 8: calls in flight settle, with a clear lastError, when the port to the host
 * ends; calls made afterwards fail the same way instead of hanging.
 */
import { expect } from 'chai';
import { HOST_GONE_MESSAGE } from '../../preload/facade';
import { createTestHost } from '../../testing';
import { answer, bytes, connectedSocket, openHost, startTcpServer, useCleanup, type Host } from '../tcp/helpers';

describe('calls in flight when the port ends (issue 9 item 8)', () => {
  const cleanup = useCleanup();

  it('rejects a pending send promise and a pending secure promise once the test host closes', async () => {
    // A peer that never reads: a large send cannot complete. A peer that never answers a
    // ClientHello: secure() cannot complete.
    const sink = await startTcpServer(cleanup, (socket) => socket.pause());
    const t = (await createTestHost({ log: () => {} })) as Host;
    const tcp = t.chrome.sockets.tcp as unknown as Host['tcp'];
    Object.assign(t, { tcp });
    const sendId = await connectedSocket(t, sink.port);
    const secureId = await connectedSocket(t, sink.port, { paused: true });
    const send = tcp.send(sendId, new Uint8Array(64 * 1024 * 1024)) as Promise<unknown>;
    const secure = tcp.secure(secureId) as Promise<unknown>;
    const settled = Promise.allSettled([send, secure]);
    await t.close();
    const [s1, s2] = await settled;
    expect(s1).to.include({ status: 'rejected' });
    expect((s1 as PromiseRejectedResult).reason.message).to.equal(HOST_GONE_MESSAGE);
    expect((s2 as PromiseRejectedResult).reason.message).to.equal(HOST_GONE_MESSAGE);
  });

  it('runs a pending callback with lastError, and answers later calls the same way', async () => {
    const sink = await startTcpServer(cleanup, (socket) => socket.pause());
    const t = await openHost(cleanup, { log: () => {} });
    const id = await connectedSocket(t, sink.port);
    const pending = answer(t, (cb) => t.tcp.send(id, new Uint8Array(64 * 1024 * 1024), cb));
    await t.close();
    expect(await pending).to.deep.equal({ args: [], lastError: HOST_GONE_MESSAGE });
    expect(await answer(t, (cb) => t.tcp.create(cb))).to.deep.equal({ args: [], lastError: HOST_GONE_MESSAGE });
    expect(await answer(t, (cb) => t.tcp.send(id, bytes('x'), cb))).to.deep.equal({ args: [], lastError: HOST_GONE_MESSAGE });
  });
});
