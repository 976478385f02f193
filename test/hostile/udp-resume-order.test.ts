/**
 * Issue 9 item 9: setPaused(false) on a UDP socket answers before the datagrams that waited
 * are delivered (Chrome answers, then starts reading; Chromium's testPauseAndThenResume relies
 * on that order).
 */
import { expect } from 'chai';
import * as dgram from 'node:dgram';
import { createTestHost, type TestHost } from '../../testing';
import { call, waitFor } from '../support/server-udp';

describe('UDP setPaused(false) order (issue 9 item 9)', () => {
  let t: TestHost;
  let peer: dgram.Socket;
  beforeEach(async () => {
    t = await createTestHost({ log: () => {} });
    peer = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => peer.close(() => resolve()));
    await t.close();
  });

  it('runs the setPaused(false) callback before the first queued onReceive', async () => {
    const udp = t.chrome.sockets.udp as Record<string, any>;
    const order: string[] = [];
    udp.onReceive.addListener((info: { data: ArrayBuffer }) => order.push(`receive:${Buffer.from(info.data).toString()}`));
    const { socketId } = (await call(t.chrome, udp.create)).args[0] as { socketId: number };
    expect((await call(t.chrome, udp.bind, socketId, '127.0.0.1', 0)).args).to.deep.equal([0]);
    expect((await call(t.chrome, udp.setPaused, socketId, true)).lastError).to.equal(undefined);
    const { localPort } = (await call(t.chrome, udp.getInfo, socketId)).args[0] as { localPort: number };
    for (const text of ['one', 'two']) peer.send(text, localPort, '127.0.0.1');
    await waitFor(() => t.host.inspect().sockets.find((s) => s.kind === 'udp')?.queued === 2, 5000, 'two queued datagrams');
    await new Promise<void>((resolve) => udp.setPaused(socketId, false, () => (order.push('callback'), resolve())));
    await waitFor(() => order.length === 3, 5000, 'both datagrams');
    expect(order).to.deep.equal(['callback', 'receive:one', 'receive:two']);
  });
});
