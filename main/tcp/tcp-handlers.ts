/**
 * chrome.sockets.tcp: one handler per API function (sockets_tcp_api.cc). Each returns the
 * callback's arguments or throws a CallError in the shape Chrome answers with (spec §2.3).
 */
import type * as dns from 'node:dns';
import { NET_ERRORS } from '../../common/net-errors';
import { CallError, codeError, notFound, sendError, wrapPort } from '../call-error';
import type { NamespaceHandlers } from '../dispatch';
import { sharedHandlers, toBuffer } from '../shared-handlers';
import { canonicalHost } from '../host-name';
import { dnsError, resolveHost } from '../name-resolution';
import type { SocketRegistries } from '../registries';
import type { SocketEnv } from '../socket-env';
import { TcpSocket } from './tcp-socket';

export function createTcpHandlers(env: SocketEnv, registries: SocketRegistries): NamespaceHandlers<'tcp'> {
  const registry = registries.tcp;
  const { find, handlers } = sharedHandlers(registry, (id, scope) => new TcpSocket(env, id, scope.app));

  return {
    ...handlers,

    setKeepAlive(scope, [id, enable, delay]) {
      const code = find(scope, id, [NET_ERRORS.FAILED]).setKeepAlive(enable, delay ?? 0);
      if (code !== 0) throw codeError(code);
      return [0];
    },

    setNoDelay(scope, [id, noDelay]) {
      const code = find(scope, id, [NET_ERRORS.FAILED]).setNoDelay(noDelay);
      if (code !== 0) throw codeError(code);
      return [0];
    },

    /**
     * Order of checks as in Chrome (spec §4.1): id, permission on the address, DNS, then the
     * socket's state, then the connection itself. The address is canonicalised first (a name
     * no host can hold is -105) and the permission is checked against what will be resolved.
     */
    async connect(scope, [id, peerAddress, peerPort, dnsQueryType]) {
      const socket = find(scope, id);
      const target = canonicalHost(peerAddress);
      if (target === undefined) throw codeError(NET_ERRORS.NAME_NOT_RESOLVED);
      const address = target.name;
      const port = wrapPort(peerPort);
      if (!scope.ctx.policy.allows('tcp-connect', address, port)) throw new CallError('Does not have permission');
      let addresses: dns.LookupAddress[] | undefined;
      try {
        addresses = await socket.resolving(resolveHost(env.lookup, target, dnsQueryType));
      } catch (error) {
        if (registry.get(socket.id, scope.app) !== socket) throw notFound();
        throw codeError(dnsError(error));
      }
      if (addresses === undefined || registry.get(socket.id, scope.app) !== socket) throw notFound();
      // A TLS socket answers every connect with ERR_CONNECTION_FAILED (TLSSocket::Connect),
      // connected or not; only a plain one checks its state.
      if (socket.secured) throw codeError(NET_ERRORS.CONNECTION_FAILED);
      if (socket.state === 'connecting') throw codeError(NET_ERRORS.CONNECTION_FAILED);
      if (socket.state === 'connected') throw codeError(NET_ERRORS.SOCKET_IS_CONNECTED);
      if (socket.accepted) throw codeError(NET_ERRORS.CONNECTION_FAILED);
      const code = await socket.connect(address, addresses, port);
      if (code !== 0) throw codeError(code);
      // The first read is armed after the callback is queued, so it precedes every onReceive.
      setImmediate(() => socket.updateReading());
      return [0];
    },

    disconnect(scope, [id]) {
      const socket = find(scope, id);
      socket.dropCreditOf(scope.ctx);
      socket.disconnect();
      return [];
    },

    async secure(scope, [id, options]) {
      const socket = find(scope, id, [NET_ERRORS.INVALID_ARGUMENT]);
      // The page stopped answering this socket's sends at this call (preload/send-credit.ts):
      // its credit ends here too, whether secure() goes on or fails below.
      socket.dropCreditOf(scope.ctx);
      if (socket.secured) throw new CallError('Socket must be a connected client TCP socket.', [NET_ERRORS.INVALID_ARGUMENT]);
      // One upgrade at a time: a second secure() must not wrap the raw socket again, nor (as
      // Chrome's failures do) destroy the socket the first one is securing.
      if (socket.upgrading) throw codeError(NET_ERRORS.FAILED);
      if (socket.state !== 'connected') throw new CallError('Socket not connected', [NET_ERRORS.INVALID_ARGUMENT]);
      // A read or write in flight (a send not answered yet), or an accepted socket (no local
      // address): Chrome fails with ERR_FAILED and destroys the socket.
      if (socket.readPending || socket.writesInFlight > 0 || socket.accepted) {
        env.removeSocket(socket);
        throw codeError(NET_ERRORS.FAILED);
      }
      // Securing from here on: sends get -15, a second secure() -2, no credit is granted and
      // reading is not armed while it waits below.
      socket.upgrading = true;
      const connection = socket.connection;
      try {
        // Sends the page answered itself are the app's earlier sends: they go out in clear first,
        // as they would have before a Chrome secure() (their callbacks already ran).
        await socket.creditedWritesDone();
        // Disconnected, closed or dropped by the peer while it waited: as during the handshake.
        // (The wait ends as the connection does, so no later connection is ever upgraded; should
        // one be there, it is left alone.)
        if (registry.get(socket.id, scope.app) !== socket || socket.state !== 'connected' || socket.connection !== connection) {
          if (registry.get(socket.id, scope.app) === socket && socket.connection === undefined) env.removeSocket(socket);
          throw codeError(NET_ERRORS.CONNECTION_CLOSED);
        }
        const code = await socket.upgradeToTls(options, env);
        if (code !== 0) {
          if (registry.get(socket.id, scope.app) === socket) env.removeSocket(socket);
          throw codeError(code);
        }
      } finally {
        socket.upgrading = false;
      }
      // setPaused(false) may have come during the handshake; as after connect, reading is armed
      // once the callback is queued.
      setImmediate(() => socket.updateReading());
      return [0];
    },

    /** The quota is checked before the id lookup, as in Chrome (spec §8 item 25). */
    async send(scope, [id, data]) {
      const buffer = toBuffer(data);
      const bytes = buffer.byteLength;
      const generation = scope.ctx.pageGeneration;
      if (!env.reserveWrite(scope.app, bytes)) throw new CallError('Exceeded write quota.');
      const socket = registry.get(id, scope.app);
      if (socket === undefined) {
        env.releaseWrite(scope.app, bytes);
        throw notFound();
      }
      // A write the page had answered itself failed: this send reports it (spec §4.2: -2).
      const code = socket.takeCreditFailure() ? NET_ERRORS.FAILED : await new Promise<number>((resolve) => socket.write(buffer, resolve));
      env.releaseWrite(scope.app, bytes);
      if (code !== 0) throw sendError(code);
      // From now on the page may answer this socket's sends itself, within the credit; not a
      // page that came after the one that sent (a reload while the send was written).
      if (scope.ctx.pageGeneration === generation) socket.grantSendCredit(scope.ctx, env.sendCredit);
      return [{ resultCode: 0, bytesSent: bytes }];
    },

    close(scope, [id]) {
      const socket = find(scope, id);
      socket.dropCreditOf(scope.ctx);
      // Like disconnect, a connected socket reports -100 first (spec §3.2); then the id is gone.
      socket.disconnect();
      env.removeSocket(socket);
      return [];
    },
  };
}
