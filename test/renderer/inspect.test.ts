import { expect } from 'chai';
import type { InspectSnapshot, InspectSocket } from '../../common/inspect-types';
import type { HostSnapshot } from '../../main';
import { matchesFilter, RateTracker, sortSockets, summariseApps } from '../../renderer/lib/inspect-model';
import { createTestHost } from '../../testing';
import { Cleanup, echoServer } from '../support';

// The window's inspector reads the host's snapshot as is: this line stops compiling if the two
// shapes drift apart.
const hostSnapshotIsInspectable: (s: HostSnapshot) => InspectSnapshot = (s) => s;

function sock(partial: Partial<InspectSocket> & Pick<InspectSocket, 'app' | 'kind' | 'id'>): InspectSocket {
  return { persistent: false, state: 'idle', paused: false, pausedBy: [], bytesReceived: 0, bytesSent: 0, ...partial };
}

describe('renderer inspector model', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  it('reads a real SocketsHost.inspect() snapshot: sockets, contexts and per-app summary', async () => {
    const t = await createTestHost({ app: 'probe-app', log: () => {} });
    cleanup.add(() => t.close());
    const { port } = await echoServer(cleanup);
    const tcp = t.chrome.sockets.tcp as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const { socketId } = (await tcp.create!({ name: 'watched' })) as { socketId: number };
    await tcp.connect!(socketId, '127.0.0.1', port);
    await tcp.send!(socketId, new Uint8Array([1, 2, 3]).buffer);
    const snap = hostSnapshotIsInspectable(t.host.inspect());
    const s = snap.sockets.find((x) => x.id === socketId)!;
    expect(s).to.include({
      app: 'probe-app',
      kind: 'tcp',
      name: 'watched',
      state: 'connected',
      peerAddress: '127.0.0.1',
      peerPort: port,
      bytesSent: 3,
    });
    expect(matchesFilter(s, 'probe watched')).to.equal(true);
    expect(matchesFilter(s, `:${port}`)).to.equal(true);
    const [app] = summariseApps(snap);
    expect(app).to.include({ app: 'probe-app', sockets: 1, flowBlocked: false });
    expect(app!.contexts).to.have.length(1);
  });

  it('orders by app, servers before connections, then id', () => {
    const order = sortSockets([
      sock({ app: 'b', kind: 'tcp', id: 1 }),
      sock({ app: 'a', kind: 'udp', id: 1 }),
      sock({ app: 'a', kind: 'tcp', id: 2 }),
      sock({ app: 'a', kind: 'tcpServer', id: 9 }),
      sock({ app: 'a', kind: 'tcp', id: 1 }),
    ]).map((s) => `${s.app}/${s.kind}/${s.id}`);
    expect(order).to.deep.equal(['a/tcpServer/9', 'a/tcp/1', 'a/tcp/2', 'a/udp/1', 'b/tcp/1']);
  });

  it('filters on every term, including pause reasons', () => {
    const held = sock({ app: 'telnet', kind: 'tcp', id: 2, state: 'connected', pausedBy: ['flow'], peerAddress: '10.0.0.5', peerPort: 23 });
    expect(matchesFilter(held, 'paused:flow')).to.equal(true);
    expect(matchesFilter(held, 'TELNET 10.0.0.5:23')).to.equal(true);
    expect(matchesFilter(held, 'telnet udp')).to.equal(false);
    expect(matchesFilter(held, '  ')).to.equal(true);
  });

  it('turns consecutive byte counters into rates, and none for a socket it saw once', () => {
    const rates = new RateTracker();
    const at = (bytesReceived: number): InspectSnapshot => ({
      contexts: [],
      sockets: [sock({ app: 'a', kind: 'tcp', id: 1, bytesReceived })],
    });
    rates.update(at(1000), 10_000);
    expect(rates.rate(sock({ app: 'a', kind: 'tcp', id: 1 }))).to.equal(undefined);
    rates.update(at(6000), 10_500);
    expect(rates.rate(sock({ app: 'a', kind: 'tcp', id: 1 }))).to.equal(10_000);
  });
});
