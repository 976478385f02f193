/**
 * Load peers for the benchmarks, run in a child process so neither the raw baseline nor the
 * emulation shares a thread with them. Each server reads a first line "N\n":
 * - flood: then sends N bytes and ends;
 * - sink: then counts N bytes and answers one byte;
 * - echo: echoes everything (no header).
 */
import * as net from 'node:net';

function headerThen(socket: net.Socket, onHeader: (n: number, rest: Buffer) => void): void {
  let head = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    head = Buffer.concat([head, chunk]);
    const nl = head.indexOf(10);
    if (nl < 0) return;
    socket.off('data', onData);
    onHeader(Number(head.subarray(0, nl).toString()), head.subarray(nl + 1));
  };
  socket.on('data', onData);
}

const block = Buffer.alloc(1 << 20, 0x61);

const flood = net.createServer((socket) => {
  socket.on('error', () => {});
  headerThen(socket, (n) => {
    let left = n;
    const pump = (): void => {
      while (left > 0) {
        const size = Math.min(left, block.length);
        left -= size;
        if (!socket.write(size === block.length ? block : block.subarray(0, size))) return void socket.once('drain', pump);
      }
      socket.end();
    };
    pump();
  });
});

const sink = net.createServer((socket) => {
  socket.on('error', () => {});
  headerThen(socket, (n, rest) => {
    let got = rest.length;
    const check = (): void => {
      if (got >= n) {
        socket.removeAllListeners('data');
        socket.write('k');
      }
    };
    socket.on('data', (chunk: Buffer) => {
      got += chunk.length;
      check();
    });
    check();
  });
});

const echo = net.createServer((socket) => {
  socket.on('error', () => {});
  socket.setNoDelay(true);
  socket.pipe(socket);
});

let pending = 3;
const ports: Record<string, number> = {};
for (const [name, server] of Object.entries({ flood, sink, echo })) {
  server.listen(0, '127.0.0.1', () => {
    ports[name] = (server.address() as net.AddressInfo).port;
    if (--pending === 0) process.send?.({ ports });
  });
}
process.on('disconnect', () => process.exit(0));
