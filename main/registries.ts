/**
 * The host's registries, one per namespace (registry.ts): the handlers get the ones they serve,
 * and the host looks sockets up by kind for the tap and the inspector.
 */
import type { RawSocket } from './raw/raw-socket';
import { Registry } from './registry';
import type { TcpServerSocket } from './tcp-server/tcp-server-socket';
import type { TcpSocket } from './tcp/tcp-socket';
import type { UdpSocket } from './udp/udp-socket';

export interface SocketRegistries {
  readonly tcp: Registry<TcpSocket>;
  readonly tcpServer: Registry<TcpServerSocket>;
  readonly udp: Registry<UdpSocket>;
  /** mozTCPSocket, W3C 2013, Direct Sockets and chrome.socket sockets: their own id space. */
  readonly raw: Registry<RawSocket>;
}

export function createRegistries(): SocketRegistries {
  return {
    tcp: new Registry<TcpSocket>(),
    tcpServer: new Registry<TcpServerSocket>(),
    udp: new Registry<UdpSocket>(),
    raw: new Registry<RawSocket>(),
  };
}
