/**
 * The `raw` namespace: the host operations behind the other socket APIs (other-socket-apis.md
 * §4.1). Permissions are the app manifest's "sockets" section, checked as chrome.sockets checks
 * them. Failures carry the net error (`resultCode`); each facade maps it to its own vocabulary.
 */
import * as os from 'node:os';
import { NET_ERRORS, netErrorMessage } from '../../common/net-errors';
import { CallError } from '../call-error';
import type { CallScope, NamespaceHandlers } from '../dispatch';
import { parseIpLiteral } from '../ip-literal';
import type { ManagedSocket } from '../app-state';
import { canonicalHost } from '../host-name';
import { dnsError, resolveHost } from '../name-resolution';
import type { SocketRegistries } from '../registries';
import { toBuffer, tooManySockets } from '../shared-handlers';
import type { SocketEnv } from '../socket-env';
import { RawServer } from './raw-server';
import { RawTcp, type RawError } from './raw-tcp';
import type { RawSocket } from './raw-socket';
import { RawUdp } from './raw-udp';

const PERMISSION_ERROR = 'Does not have permission';

function failure(error: unknown): CallError {
  if (error instanceof CallError) return error;
  const raw = error as Partial<RawError> | undefined;
  const code = typeof raw?.resultCode === 'number' ? raw.resultCode : NET_ERRORS.FAILED;
  const text = netErrorMessage(code) + (typeof raw?.code === 'string' ? ` (${raw.code})` : '');
  return new CallError(text, [], code);
}

function port16(port: number): number {
  if (port < 0 || port > 65535) throw new CallError(netErrorMessage(NET_ERRORS.INVALID_ARGUMENT), [], NET_ERRORS.INVALID_ARGUMENT);
  return port;
}

export function createRawHandlers(env: SocketEnv, registries: SocketRegistries): NamespaceHandlers<'raw'> {
  const registry = registries.raw;

  /** The socket this context owns with this id: another context's looks missing. */
  function find<T extends RawSocket>(scope: CallScope, id: number, kind?: new (...args: any[]) => T): T {
    const socket = registry.get(id, scope.app);
    if (socket === undefined || socket.ctx !== scope.ctx || (kind !== undefined && !(socket instanceof kind))) {
      throw new CallError('Socket not found', [], NET_ERRORS.INVALID_HANDLE);
    }
    return socket as T;
  }

  return {
    async tcpConnect(scope, [options]) {
      const o = options;
      const port = port16(o.port);
      // What is checked is what is resolved (host-name.ts): a name no host can hold is -105.
      const target = canonicalHost(o.host);
      if (target === undefined) throw failure({ resultCode: NET_ERRORS.NAME_NOT_RESOLVED });
      if (!scope.ctx.policy.allows('tcp-connect', target.name, port)) throw new CallError(PERMISSION_ERROR, [], NET_ERRORS.ACCESS_DENIED);
      if (scope.app.atSocketLimit) throw new CallError(tooManySockets(scope.app.maxSockets), [], NET_ERRORS.INSUFFICIENT_RESOURCES);
      const socket = registry.add((id) => new RawTcp(env, id, scope.app, scope.ctx, o.pull === true));
      socket.hostname = target.name;
      try {
        let addresses;
        try {
          addresses = await resolveHost(env.lookup, target, o.dnsQueryType);
        } catch (error) {
          throw { resultCode: dnsError(error), code: (error as { code?: string }).code } satisfies RawError;
        }
        await socket.connect(addresses, port, {
          tls: o.tls,
          servername: o.tls && target.family === 0 ? target.name : undefined,
          noDelay: o.noDelay,
          keepAliveDelay: o.keepAliveDelay,
          localAddress: o.localAddress,
          localPort: o.localPort,
        });
      } catch (error) {
        if (registry.get(socket.id, scope.app) === socket) env.removeSocket(socket);
        throw failure(error);
      }
      // Reading starts after the answer is queued, so it precedes the first data event.
      setImmediate(() => socket.updateReading());
      return [{ socketId: socket.id, ...socket.addresses }];
    },

    async tcpWrite(scope, [id, data]) {
      const buffer = Buffer.from(toBuffer(data));
      if (!env.reserveWrite(scope.app, buffer.byteLength))
        throw new CallError('Exceeded write quota.', [], NET_ERRORS.INSUFFICIENT_RESOURCES);
      try {
        await find(scope, id, RawTcp).write(buffer);
      } catch (error) {
        throw failure(error);
      } finally {
        env.releaseWrite(scope.app, buffer.byteLength);
      }
      return [buffer.byteLength];
    },

    read(scope, [id, bytes]) {
      const socket = find(scope, id);
      if (bytes < 0 || socket instanceof RawServer) throw failure({ resultCode: NET_ERRORS.INVALID_ARGUMENT });
      socket.grant(bytes);
      return [];
    },

    setPaused(scope, [id, paused]) {
      const socket = find(scope, id);
      socket.paused = paused;
      socket.updateReading();
      return [];
    },

    tcpShutdown(scope, [id]) {
      find(scope, id, RawTcp).shutdown();
      return [];
    },

    async tcpStartTls(scope, [id, options]) {
      try {
        await find(scope, id, RawTcp).startTls(options?.servername);
      } catch (error) {
        throw failure(error);
      }
      return [];
    },

    tcpSetOptions(scope, [id, options]) {
      try {
        find(scope, id, RawTcp).setOptions(options);
      } catch (error) {
        throw failure(error);
      }
      return [];
    },

    async listen(scope, [options]) {
      const o = options;
      const literal = parseIpLiteral(o.host);
      if (literal === undefined) throw failure({ resultCode: NET_ERRORS.ADDRESS_INVALID });
      const port = port16(o.port);
      if (!scope.ctx.policy.allows('tcp-listen', o.host.toLowerCase(), port))
        throw new CallError(PERMISSION_ERROR, [], NET_ERRORS.ACCESS_DENIED);
      if (scope.app.atSocketLimit) throw new CallError(tooManySockets(scope.app.maxSockets), [], NET_ERRORS.INSUFFICIENT_RESOURCES);
      const server = registry.add((id) => new RawServer(env, id, scope.app, scope.ctx, o.pull === true, registry));
      try {
        const bound = await server.listen(literal.address, port, o.backlog, o.ipv6Only === true);
        return [{ socketId: server.id, ...bound }];
      } catch (error) {
        if (registry.get(server.id, scope.app) === server) env.removeSocket(server);
        throw failure(error);
      }
    },

    async udpOpen(scope, [options]) {
      const o = options;
      let remote: { address: string; port: number } | undefined;
      if (o.remoteAddress !== undefined || o.remotePort !== undefined) {
        if (o.remoteAddress === undefined || o.remotePort === undefined) throw failure({ resultCode: NET_ERRORS.INVALID_ARGUMENT });
        const rport = port16(o.remotePort);
        const target = canonicalHost(o.remoteAddress);
        if (target === undefined) throw failure({ resultCode: NET_ERRORS.NAME_NOT_RESOLVED });
        if (!scope.ctx.policy.allows('udp-send', target.name, rport)) throw new CallError(PERMISSION_ERROR, [], NET_ERRORS.ACCESS_DENIED);
        let addresses;
        try {
          addresses = await resolveHost(env.lookup, target, o.dnsQueryType);
        } catch (error) {
          throw failure({ resultCode: dnsError(error) });
        }
        remote = { address: addresses[0].address, port: rport };
      }
      let localAddress = o.localAddress;
      if (localAddress === undefined) localAddress = remote !== undefined && remote.address.includes(':') ? '::' : '0.0.0.0';
      const literal = parseIpLiteral(localAddress);
      if (literal === undefined) throw failure({ resultCode: NET_ERRORS.ADDRESS_INVALID });
      const localPort = port16(o.localPort ?? 0);
      // A connected socket binds an ephemeral port implicitly; only an explicit bind is checked.
      if (remote === undefined && !scope.ctx.policy.allows('udp-bind', localAddress.toLowerCase(), localPort)) {
        throw new CallError(PERMISSION_ERROR, [], NET_ERRORS.ACCESS_DENIED);
      }
      if (scope.app.atSocketLimit) throw new CallError(tooManySockets(scope.app.maxSockets), [], NET_ERRORS.INSUFFICIENT_RESOURCES);
      const socket = registry.add((id) => new RawUdp(env, id, scope.app, scope.ctx, o.pull === true));
      try {
        const info = await socket.open({
          localAddress: literal.address,
          localPort,
          remote,
          reuseAddr: o.reuseAddr === true,
          ipv6Only: o.ipv6Only === true,
          loopback: o.loopback,
          multicastTtl: o.multicastTtl,
          broadcast: o.broadcast,
          recvBufferSize: o.recvBufferSize,
          sendBufferSize: o.sendBufferSize,
        });
        setImmediate(() => socket.updateReading());
        return [info];
      } catch (error) {
        if (registry.get(socket.id, scope.app) === socket) env.removeSocket(socket);
        throw failure(error);
      }
    },

    async udpSend(scope, [id, data, address, port]) {
      const socket = find(scope, id, RawUdp);
      let target: string | undefined;
      if (address !== undefined) {
        const p = port16(port ?? 0);
        const canonical = canonicalHost(address);
        if (canonical === undefined) throw failure({ resultCode: NET_ERRORS.NAME_NOT_RESOLVED });
        target = canonical.name;
        if (!scope.ctx.policy.allows('udp-send', target, p)) throw new CallError(PERMISSION_ERROR, [], NET_ERRORS.ACCESS_DENIED);
      }
      const buffer = Buffer.from(toBuffer(data));
      if (!env.reserveWrite(scope.app, buffer.byteLength))
        throw new CallError('Exceeded write quota.', [], NET_ERRORS.INSUFFICIENT_RESOURCES);
      try {
        await socket.send(buffer, target, port);
      } catch (error) {
        throw failure(error);
      } finally {
        env.releaseWrite(scope.app, buffer.byteLength);
      }
      return [buffer.byteLength];
    },

    udpMembership(scope, [id, join, group, source]) {
      const socket = find(scope, id, RawUdp);
      if (!scope.ctx.policy.allows('udp-multicast-membership', '*', 0)) throw new CallError(PERMISSION_ERROR, [], NET_ERRORS.ACCESS_DENIED);
      try {
        socket.membership(join, group, source);
      } catch (error) {
        throw failure(error);
      }
      return [];
    },

    udpSetOptions(scope, [id, options]) {
      try {
        find(scope, id, RawUdp).setOptions(options);
      } catch (error) {
        throw failure(error);
      }
      return [];
    },

    close(scope, [id, graceful]) {
      const socket = find(scope, id);
      if (socket instanceof RawTcp && socket.state === 'open') {
        // The socket reports its own end (onClose) once Node closed it.
        socket.close(graceful === true);
        return [];
      }
      env.removeSocket(socket);
      return [];
    },

    getInfo(scope, [id]) {
      return [find(scope, id).info()];
    },

    getNetworkList() {
      const list: Array<{ name: string; address: string; prefixLength: number }> = [];
      for (const [name, addresses] of Object.entries(os.networkInterfaces())) {
        for (const a of addresses ?? []) {
          if (a.internal) continue;
          const prefixLength = Number((a.cidr ?? '/0').split('/')[1]);
          list.push({ name, address: a.address, prefixLength });
        }
      }
      return [list];
    },
  };
}

/** Sockets of the raw namespace end with the page context that made them. */
export function isOwnedBy(socket: ManagedSocket, ctx: unknown): boolean {
  return socket.kind === 'raw' && (socket as RawSocket).ctx === ctx;
}
