/**
 * chrome.sockets.tcpServer: one handler per API function (sockets_tcp_server_api.cc). Each
 * returns the callback's arguments or throws a CallError in Chrome's shape (spec §2.3).
 */
import { NET_ERRORS } from '../../common/net-errors';
import { CallError, codeError, notFound, wrapPort } from '../call-error';
import type { NamespaceHandlers } from '../dispatch';
import { sharedHandlers } from '../shared-handlers';
import { parseIpLiteral } from '../ip-literal';
import type { SocketRegistries } from '../registries';
import type { SocketEnv } from '../socket-env';
import { DEFAULT_BACKLOG, TcpServerSocket } from './tcp-server-socket';

export function createTcpServerHandlers(env: SocketEnv, registries: SocketRegistries): NamespaceHandlers<'tcpServer'> {
  const registry = registries.tcpServer;
  const { find, handlers } = sharedHandlers(registry, (id, scope) => new TcpServerSocket(env, id, scope.app, registries.tcp));

  return {
    ...handlers,

    /**
     * Checks in Chrome's order: id, permission on the literal address string, IP literal
     * (TCPSocket::Listen: ERR_INVALID_ARGUMENT), then the OS listen itself.
     */
    async listen(scope, [id, address, port, backlog]) {
      const socket = find(scope, id);
      const wrapped = wrapPort(port);
      if (!scope.ctx.policy.allows('tcp-listen', address.toLowerCase(), wrapped)) throw new CallError('Does not have permission');
      const literal = parseIpLiteral(address);
      if (literal === undefined) throw codeError(NET_ERRORS.INVALID_ARGUMENT);
      const code = await socket.listen(literal, wrapped, backlog ?? DEFAULT_BACKLOG);
      if (registry.get(socket.id, scope.app) !== socket) throw notFound();
      if (code !== 0) throw codeError(code);
      return [0];
    },

    disconnect(scope, [id]) {
      find(scope, id).disconnect();
      return [];
    },

    close(scope, [id]) {
      env.removeSocket(find(scope, id));
      return [];
    },
  };
}
