/**
 * Spec §4.1 and §5 through the API: connect is checked against the manifest's literal
 * `peerAddress` and port, before any DNS, and a refusal calls back with no arguments.
 */
import { expect } from 'chai';
import * as sinon from 'sinon';
import { answer, createSocket, mockLookup, openHost, startEchoServer, useCleanup } from './helpers';

const DENIED = { args: [], lastError: 'Does not have permission' };

describe('chrome.sockets.tcp', function () {
  this.timeout(5000);
  const cleanup = useCleanup();
  const sandbox = sinon.createSandbox();
  afterEach(() => sandbox.restore());

  describe('#connect permissions', () => {
    it('{tcp:{connect:"127.0.0.1:*"}} allows 127.0.0.1 on any port', async () => {
      const server = await startEchoServer(cleanup);
      const t = await openHost(cleanup, { sockets: { tcp: { connect: '127.0.0.1:*' } } });
      const id = await createSocket(t);
      expect(await answer(t, (cb) => t.tcp.connect(id, '127.0.0.1', server.port, cb))).to.deep.equal({ args: [0], lastError: undefined });
    });

    it('{tcp:{connect:"127.0.0.1:*"}} refuses "localhost" with no callback arguments, before any DNS lookup', async () => {
      const server = await startEchoServer(cleanup);
      const lookup = sandbox.spy(mockLookup({ localhost: '127.0.0.1' }));
      const t = await openHost(cleanup, { sockets: { tcp: { connect: '127.0.0.1:*' } }, lookup });
      const id = await createSocket(t);
      expect(await answer(t, (cb) => t.tcp.connect(id, 'localhost', server.port, cb))).to.deep.equal(DENIED);
      expect(lookup.called).to.equal(false);
      expect(server.connections).to.have.length(0);
      expect((await answer(t, (cb) => t.tcp.getInfo(id, cb))).args[0]).to.include({ connected: false });
    });

    it('{tcp:{connect:"localhost:*"}} allows "localhost" (resolved) but refuses the IP it resolves to', async () => {
      const server = await startEchoServer(cleanup);
      const t = await openHost(cleanup, { sockets: { tcp: { connect: 'localhost:*' } }, lookup: mockLookup({ localhost: '127.0.0.1' }) });
      const id = await createSocket(t);
      expect(await answer(t, (cb) => t.tcp.connect(id, '127.0.0.1', server.port, cb))).to.deep.equal(DENIED);
      expect(await answer(t, (cb) => t.tcp.connect(id, 'LocalHost', server.port, cb))).to.deep.equal({ args: [0], lastError: undefined });
    });

    it('a rule with a port allows only that port', async () => {
      const server = await startEchoServer(cleanup);
      const other = await startEchoServer(cleanup);
      const t = await openHost(cleanup, { sockets: { tcp: { connect: `127.0.0.1:${server.port}` } } });
      const id = await createSocket(t);
      expect(await answer(t, (cb) => t.tcp.connect(id, '127.0.0.1', other.port, cb))).to.deep.equal(DENIED);
      expect(await answer(t, (cb) => t.tcp.connect(id, '127.0.0.1', server.port, cb))).to.deep.equal({ args: [0], lastError: undefined });
    });

    it('a manifest without a tcp rule refuses every connect', async () => {
      const server = await startEchoServer(cleanup);
      const t = await openHost(cleanup, { sockets: { tcpServer: { listen: '' } } });
      const id = await createSocket(t);
      expect(await answer(t, (cb) => t.tcp.connect(id, '127.0.0.1', server.port, cb))).to.deep.equal(DENIED);
    });

    it('IPv6 peers need a wildcard host rule: "*:*" allows ::1', async () => {
      const server = await startEchoServer(cleanup, '::1');
      const t = await openHost(cleanup, { sockets: { tcp: { connect: '*:*' } } });
      const id = await createSocket(t);
      expect(await answer(t, (cb) => t.tcp.connect(id, '::1', server.port, cb))).to.deep.equal({ args: [0], lastError: undefined });
    });

    it('does not check create, getInfo, setPaused, update or close', async () => {
      const t = await openHost(cleanup, { sockets: {} });
      const id = await createSocket(t, { name: 'n' });
      expect(await answer(t, (cb) => t.tcp.update(id, { name: 'm' }, cb))).to.deep.equal({ args: [], lastError: undefined });
      expect(await answer(t, (cb) => t.tcp.setPaused(id, true, cb))).to.deep.equal({ args: [], lastError: undefined });
      expect((await answer(t, (cb) => t.tcp.getInfo(id, cb))).lastError).to.equal(undefined);
      expect(await answer(t, (cb) => t.tcp.close(id, cb))).to.deep.equal({ args: [], lastError: undefined });
    });
  });
});
