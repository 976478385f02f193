/**
 * chrome.sockets.udp: one handler per API function (sockets_udp_api.cc). Each returns the
 * callback's arguments or throws a CallError in Chrome's shape (spec §2.3).
 */
import { NET_ERRORS } from '../../common/net-errors';
import { CallError, codeError, notFound, sendError, wrapPort } from '../call-error';
import type { CallScope, NamespaceHandlers } from '../dispatch';
import { canonicalHost } from '../host-name';
import { parseIpLiteral } from '../ip-literal';
import { dnsError, resolveHost } from '../name-resolution';
import type { SocketRegistries } from '../registries';
import { sharedHandlers, toBuffer } from '../shared-handlers';
import type { SocketEnv } from '../socket-env';
import { UdpSocket } from './udp-socket';

const PERMISSION_ERROR = 'App does not have permission';

/**
 * Chrome's network service allows this many open UDP sockets in all (LimitOpenUDPSockets);
 * the host counts its bound sockets across apps.
 */
export const MAX_OPEN_UDP_SOCKETS = 6000;

export function createUdpHandlers(env: SocketEnv, registries: SocketRegistries): NamespaceHandlers<'udp'> {
  const registry = registries.udp;
  const { find, handlers } = sharedHandlers(registry, (id, scope) => new UdpSocket(env, id, scope.app));

  /** Membership is not address-bound: Chrome checks the fixed pair `*`, port 0. */
  function checkMembership(scope: CallScope): void {
    if (!scope.ctx.policy.allows('udp-multicast-membership', '*', 0)) throw new CallError(PERMISSION_ERROR);
  }

  function result(code: number): readonly unknown[] {
    if (code !== 0) throw codeError(code);
    return [0];
  }

  return {
    ...handlers,

    /** Id, permission on the literal string, already bound, IP literal, global limit, OS bind. */
    async bind(scope, [id, address, port]) {
      const socket = find(scope, id);
      const wrapped = wrapPort(port);
      if (!scope.ctx.policy.allows('udp-bind', address.toLowerCase(), wrapped)) throw new CallError(PERMISSION_ERROR);
      if (socket.state !== 'idle') throw codeError(NET_ERRORS.CONNECTION_FAILED);
      // Only an IP literal (nothing is resolved): what fails to parse, NUL and all, is refused.
      const literal = parseIpLiteral(address);
      if (literal === undefined) throw codeError(NET_ERRORS.INVALID_ARGUMENT);
      const open = registry.all().reduce((n, s) => n + (s.state === 'idle' ? 0 : 1), 0);
      if (open >= MAX_OPEN_UDP_SOCKETS) throw codeError(NET_ERRORS.INSUFFICIENT_RESOURCES);
      const code = await socket.bind(literal, wrapped);
      if (registry.get(socket.id, scope.app) !== socket) throw notFound();
      if (code !== 0) throw codeError(code);
      return [0];
    },

    /**
     * The quota is taken first, before the id lookup (spec §8 item 25); then permission on the
     * literal address, DNS (first address only, spec §8 item 24), and the send itself.
     */
    async send(scope, [id, data, address, port, dnsQueryType]) {
      const buffer = toBuffer(data);
      const bytes = buffer.byteLength;
      if (!env.reserveWrite(scope.app, bytes)) throw new CallError('Exceeded write quota.');
      try {
        const socket = find(scope, id);
        // What is checked is what is resolved (host-name.ts); a name no host can hold is -105.
        const canonical = canonicalHost(address);
        if (canonical === undefined) throw sendError(NET_ERRORS.NAME_NOT_RESOLVED);
        const wrapped = wrapPort(port);
        if (!scope.ctx.policy.allows('udp-send', canonical.name, wrapped)) throw new CallError(PERMISSION_ERROR);
        let target: string;
        try {
          target = (await resolveHost(env.lookup, canonical, dnsQueryType))[0].address;
        } catch (error) {
          throw sendError(dnsError(error));
        }
        if (registry.get(socket.id, scope.app) !== socket) throw notFound();
        const code = await new Promise<number>((resolve) => socket.send(buffer, target, wrapped, resolve));
        if (code !== 0) throw sendError(code);
        return [{ resultCode: 0, bytesSent: bytes }];
      } finally {
        env.releaseWrite(scope.app, bytes);
      }
    },

    /** No onReceiveError: Chrome swallows the close of its pending read (spec §3.6). */
    close(scope, [id]) {
      env.removeSocket(find(scope, id));
      return [];
    },

    /** Id, permission, IP literal and duplicate (-108), bound (-9), then the OS. */
    joinGroup(scope, [id, address]) {
      const socket = find(scope, id);
      checkMembership(scope);
      const group = parseIpLiteral(address);
      if (group === undefined) throw codeError(NET_ERRORS.ADDRESS_INVALID);
      return result(socket.joinGroup(group));
    },

    leaveGroup(scope, [id, address]) {
      const socket = find(scope, id);
      checkMembership(scope);
      const group = parseIpLiteral(address);
      if (group === undefined) throw codeError(NET_ERRORS.ADDRESS_INVALID);
      return result(socket.leaveGroup(group));
    },

    setMulticastTimeToLive(scope, [id, ttl]) {
      return result(find(scope, id).setMulticastTimeToLive(ttl));
    },

    setMulticastLoopbackMode(scope, [id, enabled]) {
      return result(find(scope, id).setMulticastLoopbackMode(enabled));
    },

    getJoinedGroups(scope, [id]) {
      const socket = find(scope, id);
      checkMembership(scope);
      return [[...socket.groups]];
    },

    setBroadcast(scope, [id, enabled]) {
      return result(find(scope, id).setBroadcast(enabled));
    },
  };
}
