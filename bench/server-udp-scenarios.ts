/**
 * tcpServer and udp scenarios that run in the facade worker, written as a Chrome App would.
 * Each workload has a setup step (returns the port) and a wait step (returns what it counted).
 */
import type { ChromeSockets } from '../preload/facade';

type Ns = Record<string, any>;

let acceptState: { serverId: number; count: number; target: number; done?: () => void } | undefined;
let udpState: { socketId: number; count: number; first: number; last: number } | undefined;

/** Listens on 127.0.0.1:0 and counts onAccept; each accepted socket is closed at once. */
export async function acceptSetup(chrome: ChromeSockets): Promise<number> {
  const server = chrome.sockets.tcpServer as Ns;
  const tcp = chrome.sockets.tcp as Ns;
  const { socketId } = await server.create({});
  const state = { serverId: socketId, count: 0, target: Infinity, done: undefined as (() => void) | undefined };
  acceptState = state;
  server.onAccept.addListener((info: { socketId: number; clientSocketId: number }) => {
    if (info.socketId !== state.serverId) return;
    tcp.close(info.clientSocketId, () => {});
    if (++state.count >= state.target) state.done?.();
  });
  const result = await server.listen(socketId, '127.0.0.1', 0);
  if (result !== 0) throw new Error(`listen failed ${result}`);
  return (await server.getInfo(socketId)).localPort;
}

/** Resolves once `count` connections were accepted in all; closes the server. */
export async function acceptWait(chrome: ChromeSockets, params: Record<string, unknown>): Promise<number> {
  const state = acceptState!;
  state.target = params.count as number;
  if (state.count < state.target) await new Promise<void>((resolve) => (state.done = resolve));
  await (chrome.sockets.tcpServer as Ns).close(state.serverId);
  return state.count;
}

/** Binds 127.0.0.1:0 and counts onReceive, noting the first and last arrival. */
export async function udpSetup(chrome: ChromeSockets): Promise<number> {
  const udp = chrome.sockets.udp as Ns;
  const { socketId } = await udp.create({ bufferSize: 2048 });
  const state = { socketId, count: 0, first: 0, last: 0 };
  udpState = state;
  udp.onReceive.addListener((info: { socketId: number; data: ArrayBuffer }) => {
    if (info.socketId !== state.socketId) return;
    const now = performance.now();
    if (state.count++ === 0) state.first = now;
    state.last = now;
  });
  const result = await udp.bind(socketId, '127.0.0.1', 0);
  if (result !== 0) throw new Error(`bind failed ${result}`);
  return (await udp.getInfo(socketId)).localPort;
}

export async function udpStats(_chrome: ChromeSockets): Promise<{ count: number; ms: number }> {
  const state = udpState!;
  return { count: state.count, ms: state.last - state.first };
}

export async function udpClose(chrome: ChromeSockets): Promise<void> {
  await (chrome.sockets.udp as Ns).close(udpState!.socketId);
}
