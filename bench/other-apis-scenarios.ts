/**
 * Receive scenarios for the other socket APIs, run in the facade worker like the chrome.sockets
 * ones: Direct Sockets through a BYOB reader with 64 KiB views, mozTCPSocket through `ondata`
 * with `binaryType: "arraybuffer"`. Each asks the flood peer for `bytes` and returns elapsed ms.
 */
import type { PageChannel } from '../preload/channel';
import { createDirectSockets, type DirectSockets } from '../preload/direct/direct-sockets';
import type { ChromeSockets } from '../preload/facade';
import { createMozTCPSocket, type LegacyMozTCPSocket } from '../preload/moz/moz-tcp-socket';

const encoder = new TextEncoder();
let direct: DirectSockets | undefined;
let moz: LegacyMozTCPSocket | undefined;

/** Direct Sockets' readable, read with a BYOB reader into 64 KiB views. */
export async function directRecv(_chrome: ChromeSockets, params: Record<string, unknown>, channel: PageChannel): Promise<number> {
  direct ??= createDirectSockets(channel);
  const bytes = params.bytes as number;
  const socket = new direct.TCPSocket('127.0.0.1', params.port as number);
  const { readable, writable } = await socket.opened;
  const writer = writable.getWriter();
  const reader = readable.getReader({ mode: 'byob' });
  const start = performance.now();
  await writer.write(encoder.encode(`${bytes}\n`));
  let got = 0;
  let view = new Uint8Array(65536);
  while (got < bytes) {
    const { value, done } = await reader.read(view);
    if (done || value === undefined) throw new Error(`stream ended after ${got} bytes`);
    got += value.byteLength;
    view = new Uint8Array(value.buffer, 0, 65536);
  }
  const elapsed = performance.now() - start;
  await reader.cancel();
  await writer.close();
  await socket.closed;
  return elapsed;
}

/** mozTCPSocket's `data` events with ArrayBuffers. */
export async function mozRecv(_chrome: ChromeSockets, params: Record<string, unknown>, channel: PageChannel): Promise<number> {
  moz ??= createMozTCPSocket(channel).mozTCPSocket;
  const bytes = params.bytes as number;
  const socket = moz.open('127.0.0.1', params.port as number, { binaryType: 'arraybuffer' });
  return new Promise<number>((resolve, reject) => {
    let got = 0;
    let start = 0;
    socket.onopen = () => {
      start = performance.now();
      socket.send(`${bytes}\n`);
    };
    socket.onerror = (event: { name: string }) => reject(new Error(event.name));
    socket.ondata = (event: { data: ArrayBuffer }) => {
      got += event.data.byteLength;
      if (got >= bytes && start !== 0) {
        const elapsed = performance.now() - start;
        start = 0;
        socket.onclose = () => resolve(elapsed);
        socket.closeImmediately();
      }
    };
  });
}
