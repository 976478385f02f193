/**
 * Issue 10 item 5: the Inspector's extra columns come from the real host, not only from a
 * development fake: acceptedBy, groups, bytesInFlight, lastErrorCode and the app's write quota,
 * in the one snapshot type the window reads (common/inspect-types.ts).
 */
import { expect } from 'chai';
import * as net from 'node:net';
import type { InspectSnapshot, InspectSocket } from '../../common/inspect-types';
import type { SocketsChrome } from '../../renderer/lib/chrome-types';
import { type SocketEntry, Workbench } from '../../renderer/lib/workbench';
import { createTestHost, type TestHost } from '../../testing';
import { Cleanup, until } from '../support';

function asEntry(r: unknown): SocketEntry {
  if (!r || typeof r !== 'object' || !('key' in r)) throw new Error(`not created: ${JSON.stringify(r)}`);
  return r as SocketEntry;
}

describe('SocketsHost#inspect fills the Inspector columns', () => {
  const cleanup = new Cleanup();
  let t: TestHost;
  let wb: Workbench;

  beforeEach(async () => {
    t = await createTestHost({ log: () => {}, writeQuota: 1234567, console: { error() {}, warn() {} } as never });
    cleanup.add(() => t.close());
    wb = new Workbench(t.chrome as unknown as SocketsChrome, () => {});
    cleanup.add(() => wb.dispose());
  });
  afterEach(() => cleanup.run());

  const snap = (): InspectSnapshot => t.host.inspect();
  const socket = (kind: InspectSocket['kind'], id: number): InspectSocket => snap().sockets.find((s) => s.kind === kind && s.id === id)!;

  it('gives acceptedBy for accepted sockets and bytesInFlight for tcp', async () => {
    const server = asEntry(await wb.createTcpServer({ address: '127.0.0.1', port: 0 }));
    await until(() => server.phase === 'listening', 'listen');
    const client = net.connect(server.info!.localPort!, '127.0.0.1');
    cleanup.add(() => client.destroy());
    await until(() => server.accepted.length === 1, 'accept');
    const accepted = socket('tcp', server.accepted[0]!);
    expect(accepted.acceptedBy).to.equal(server.id);
    expect(accepted.bytesInFlight).to.equal(0);
  });

  it('gives the joined groups of a udp socket', async () => {
    const u = asEntry(await wb.createUdp({ address: '0.0.0.0', port: 0 }));
    await until(() => u.phase === 'bound', 'bind');
    expect((await wb.joinGroup(u, '237.132.100.133')).ok).to.equal(true);
    expect(socket('udp', u.id).groups).to.deep.equal(['237.132.100.133']);
  });

  it('gives the last net error of a failed call and of an error event', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const e = asEntry(await wb.createTcpClient({ host: '127.0.0.1', port }));
    await until(() => e.conversation.counters.errors > 0, 'the refused connect');
    expect(socket('tcp', e.id).lastErrorCode).to.equal(-102);

    const peer = net.createServer((s) => s.end());
    await new Promise<void>((r) => peer.listen(0, '127.0.0.1', r));
    cleanup.add(() => new Promise((r) => peer.close(r)));
    const c = asEntry(await wb.createTcpClient({ host: '127.0.0.1', port: (peer.address() as net.AddressInfo).port }));
    await until(() => c.peerClosed === true, 'the peer close');
    expect(socket('tcp', c.id).lastErrorCode).to.equal(-100);
  });

  it("gives each app's write quota (used and limit) and a snapshot time", () => {
    const s = snap();
    expect(s.apps).to.deep.include({ app: 'test-app', writeQuota: { used: 0, limit: 1234567 } });
    expect(s.takenAt).to.be.a('number');
  });
});
