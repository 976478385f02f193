/**
 * DEV ONLY — a throwaway in-page imitation of chrome.sockets for layout work and screenshots,
 * built into dist/renderer-dev/ by `node scripts/build-renderer.mjs --dev` and never into the
 * real window. It imitates enough of Chrome's behaviour to exercise every view (callbacks with
 * lastError, paused accepted sockets, -100 on disconnect, a flooding chargen peer); it is not a
 * reference for how Chrome behaves — docs/spec/chrome-sockets.md is.
 *
 * Simulated peers for tcp.connect: port 7 echo, 10 a flood of "\n", 13 daytime (then closes), 19 chargen (floods),
 * 80 HTTP, port 1 refused, host `*.invalid` not resolved. udp: port 7 echoes, sending to your own
 * bound port loops back. A tcpServer "accepts" a client a second after listen, then every 4 s.
 */
import type { InspectSnapshot, InspectSocket } from '../../common/inspect-types';
import { netErrorMessage } from '../../common/net-errors';
import type { ChromeEvent, SocketsChrome } from '../lib/chrome-types';

type Listener = (...args: any[]) => void;

class FakeEvent<L extends Listener> implements ChromeEvent<L> {
  readonly listeners = new Set<L>();
  addListener(l: L) {
    this.listeners.add(l);
  }
  removeListener(l: L) {
    this.listeners.delete(l);
  }
  hasListener(l: L) {
    return this.listeners.has(l);
  }
  fire(...args: Parameters<L>) {
    for (const l of this.listeners) (l as (...a: Parameters<L>) => void)(...args);
  }
}

interface FakeSocket {
  id: number;
  kind: 'tcp' | 'tcpServer' | 'udp';
  name?: string;
  bufferSize?: number;
  persistent: boolean;
  paused: boolean;
  connected: boolean;
  secure?: boolean;
  local?: [string, number];
  peer?: [string, number];
  service?: number;
  queue: Uint8Array[];
  timer?: ReturnType<typeof setInterval>;
  groups: string[];
  rx: number;
  tx: number;
  acceptedBy?: number;
}

const enc = (s: string) => new TextEncoder().encode(s);
let ephemeral = 50000;

export function createFakeChrome(): { chrome: SocketsChrome; inspect: () => Promise<InspectSnapshot> } {
  const runtime: { lastError?: { message: string } } = {};
  const ids = { tcp: 0, tcpServer: 0, udp: 0 };
  const sockets = { tcp: new Map<number, FakeSocket>(), tcpServer: new Map<number, FakeSocket>(), udp: new Map<number, FakeSocket>() };
  const ev = {
    tcpReceive: new FakeEvent<(i: { socketId: number; data: ArrayBuffer }) => void>(),
    tcpReceiveError: new FakeEvent<(i: { socketId: number; resultCode: number }) => void>(),
    accept: new FakeEvent<(i: { socketId: number; clientSocketId: number }) => void>(),
    acceptError: new FakeEvent<(i: { socketId: number; resultCode: number }) => void>(),
    udpReceive: new FakeEvent<(i: { socketId: number; data: ArrayBuffer; remoteAddress: string; remotePort: number }) => void>(),
    udpReceiveError: new FakeEvent<(i: { socketId: number; resultCode: number }) => void>(),
  };

  /** Answers asynchronously, with lastError set only while the callback runs, as Chrome does. */
  function reply(cb: ((...a: never[]) => void) | undefined, args: unknown[], error?: string, delay = 2) {
    setTimeout(() => {
      if (error) runtime.lastError = { message: error };
      try {
        (cb as ((...a: unknown[]) => void) | undefined)?.(...args);
      } finally {
        runtime.lastError = undefined;
      }
    }, delay);
  }
  const netFail = (cb: ((r: number) => void) | undefined, code: number, delay = 2) => reply(cb, [code], netErrorMessage(code), delay);

  function make(kind: FakeSocket['kind'], props: { name?: string; bufferSize?: number; persistent?: boolean } = {}): FakeSocket {
    const s: FakeSocket = {
      id: ++ids[kind],
      kind,
      name: props.name,
      bufferSize: props.bufferSize,
      persistent: !!props.persistent,
      paused: false,
      connected: false,
      queue: [],
      groups: [],
      rx: 0,
      tx: 0,
    };
    sockets[kind].set(s.id, s);
    return s;
  }

  function deliver(s: FakeSocket, data: Uint8Array) {
    s.queue.push(data);
    pump(s);
  }

  function pump(s: FakeSocket) {
    while (!s.paused && s.connected && s.queue.length) {
      const chunk = s.queue.shift()!;
      const size = s.bufferSize && s.bufferSize > 0 ? s.bufferSize : 4096;
      for (let o = 0; o < chunk.length; o += size) {
        const part = chunk.slice(o, o + size);
        s.rx += part.length;
        ev.tcpReceive.fire({ socketId: s.id, data: part.buffer });
      }
    }
  }

  function drop(s: FakeSocket, code = -100) {
    if (s.timer) clearInterval(s.timer);
    s.timer = undefined;
    const wasReading = s.connected && !s.paused;
    s.connected = false;
    s.local = undefined;
    s.peer = undefined;
    if (wasReading) {
      s.paused = true;
      ev.tcpReceiveError.fire({ socketId: s.id, resultCode: code });
    }
  }

  function startService(s: FakeSocket) {
    if (s.service === 10) newlineFlood(s);
    if (s.service === 13)
      setTimeout(() => {
        deliver(s, enc(`${new Date().toUTCString()}\r\n`));
        setTimeout(() => drop(s), 50);
      }, 20);
    if (s.service === 19) {
      // RFC 864 lines, built once: the fake should cost nothing next to the window it is flooding.
      let all = '';
      for (let line = 0; line < 95; line++) {
        let l = '';
        for (let c = 0; c < 72; c++) l += String.fromCharCode(32 + ((line + c) % 95));
        all += `${l}\r\n`;
      }
      const pattern = enc(all + all);
      const period = all.length;
      let offset = 0;
      s.timer = setInterval(() => {
        if (s.paused || !s.connected) return;
        for (let k = 0; k < 24; k++) {
          deliver(s, pattern.slice(offset, offset + 4096));
          offset = (offset + 4096) % period;
        }
      }, 16);
    }
  }

  function newlineFlood(s: FakeSocket) {
    // Port 10: nothing but "\n", the worst case for a line-based view (one line per byte).
    const chunk = new Uint8Array(4096).fill(0x0a);
    s.timer = setInterval(() => {
      if (s.paused || !s.connected) return;
      for (let k = 0; k < 32; k++) deliver(s, chunk);
    }, 16);
  }

  function respond(s: FakeSocket, data: Uint8Array) {
    if (s.service === 7) setTimeout(() => deliver(s, data), 8);
    if (s.service === 80) {
      const body = '<!doctype html><title>fake</title><p>Hello from the dev fake.</p>\n';
      setTimeout(
        () =>
          deliver(
            s,
            enc(
              `HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ${body.length}\r\nServer: fake/1.0\r\n\r\n${body}`,
            ),
          ),
        30,
      );
    }
    if (s.acceptedBy !== undefined) setTimeout(() => deliver(s, enc(`ack ${data.length} bytes\n`)), 10);
  }

  const tcp = {
    create(props: { name?: string; bufferSize?: number; persistent?: boolean }, cb: (i: { socketId: number }) => void) {
      reply(cb, [{ socketId: make('tcp', props).id }]);
    },
    update(id: number, props: { name?: string; bufferSize?: number; persistent?: boolean }, cb?: () => void) {
      const s = sockets.tcp.get(id);
      if (!s) return reply(cb, [], 'Socket not found');
      Object.assign(s, Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined)));
      reply(cb, []);
    },
    setPaused(id: number, paused: boolean, cb?: () => void) {
      const s = sockets.tcp.get(id);
      if (!s) return reply(cb, [], 'Socket not found');
      s.paused = paused;
      reply(cb, []);
      setTimeout(() => pump(s), 3);
    },
    setKeepAlive(id: number, _e: boolean, _d: number | undefined, cb: (r: number) => void) {
      const s = sockets.tcp.get(id);
      if (!s) return reply(cb, [-2], 'Socket not found');
      if (!s.connected || s.secure) return netFail(cb, -2);
      reply(cb, [0]);
    },
    setNoDelay(id: number, _n: boolean, cb: (r: number) => void) {
      tcp.setKeepAlive(id, true, 0, cb);
    },
    connect(id: number, host: string, port: number, _dns: string | undefined, cb: (r: number) => void) {
      const s = sockets.tcp.get(id);
      if (!s) return reply(cb, [], 'Socket not found');
      if (s.connected) return netFail(cb, -23);
      if (host.endsWith('.invalid')) return netFail(cb, -105, 40);
      if (port === 1 || port === 0) return netFail(cb, -102, 15);
      setTimeout(() => {
        s.connected = true;
        s.local = ['127.0.0.1', ++ephemeral];
        s.peer = [/^[\d.:]+$/.test(host) ? host : host === 'localhost' ? '127.0.0.1' : '93.184.215.14', port];
        s.service = port;
        reply(cb, [0], undefined, 0);
        setTimeout(() => startService(s), 5);
      }, 25);
    },
    disconnect(id: number, cb?: () => void) {
      const s = sockets.tcp.get(id);
      if (!s) return reply(cb, [], 'Socket not found');
      reply(cb, []);
      setTimeout(() => drop(s), 3);
    },
    secure(id: number, _o: unknown, cb: (r: number) => void) {
      const s = sockets.tcp.get(id);
      if (!s) return reply(cb, [-4], 'Socket not found');
      if (!s.connected) return reply(cb, [-4], 'Socket not connected');
      if (!s.paused || s.acceptedBy !== undefined) {
        sockets.tcp.delete(id);
        return netFail(cb, -2, 30);
      }
      s.secure = true;
      s.name = undefined;
      s.bufferSize = undefined;
      reply(cb, [0], undefined, 60);
    },
    send(id: number, data: ArrayBuffer, cb: (i: { resultCode: number; bytesSent?: number }) => void) {
      const s = sockets.tcp.get(id);
      if (!s) return reply(cb, [], 'Socket not found');
      if (!s.connected) return reply(cb, [{ resultCode: -15 }], netErrorMessage(-15));
      s.tx += data.byteLength;
      reply(cb, [{ resultCode: 0, bytesSent: data.byteLength }], undefined, 1);
      respond(s, new Uint8Array(data.slice(0)));
    },
    close(id: number, cb?: () => void) {
      const s = sockets.tcp.get(id);
      if (!s) return reply(cb, [], 'Socket not found');
      if (s.timer) clearInterval(s.timer);
      sockets.tcp.delete(id);
      reply(cb, []);
    },
    getInfo(id: number, cb: (i: unknown) => void) {
      const s = sockets.tcp.get(id);
      if (!s) return reply(cb, [], 'Socket not found');
      reply(cb, [tcpInfo(s)]);
    },
    getSockets(cb: (i: unknown[]) => void) {
      reply(cb, [[...sockets.tcp.values()].map(tcpInfo)]);
    },
    onReceive: ev.tcpReceive,
    onReceiveError: ev.tcpReceiveError,
  };

  function tcpInfo(s: FakeSocket) {
    return strip({
      socketId: s.id,
      persistent: s.persistent,
      name: s.name || undefined,
      bufferSize: s.bufferSize && s.bufferSize > 0 ? s.bufferSize : undefined,
      paused: s.paused,
      connected: s.connected,
      localAddress: s.acceptedBy === undefined ? s.local?.[0] : undefined,
      localPort: s.acceptedBy === undefined ? s.local?.[1] : undefined,
      peerAddress: s.peer?.[0],
      peerPort: s.peer?.[1],
    });
  }
  function strip<T extends object>(o: T): T {
    return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  }

  const tcpServer = {
    create(props: { name?: string; persistent?: boolean }, cb: (i: { socketId: number }) => void) {
      reply(cb, [{ socketId: make('tcpServer', props).id }]);
    },
    update(id: number, props: { name?: string; persistent?: boolean }, cb?: () => void) {
      const s = sockets.tcpServer.get(id);
      if (!s) return reply(cb, [], 'Socket not found');
      Object.assign(s, props);
      reply(cb, []);
    },
    setPaused(id: number, paused: boolean, cb?: () => void) {
      const s = sockets.tcpServer.get(id);
      if (!s) return reply(cb, [], 'Socket not found');
      s.paused = paused;
      reply(cb, []);
    },
    listen(id: number, address: string, port: number, _b: number | undefined, cb: (r: number) => void) {
      const s = sockets.tcpServer.get(id);
      if (!s) return reply(cb, [], 'Socket not found');
      if (!/^[\d.:]+$/.test(address)) return netFail(cb, -4);
      if (port === 80) return netFail(cb, -147);
      s.local = [address, port || 40000 + s.id];
      s.connected = true;
      reply(cb, [0]);
      let n = 0;
      const accept = () => {
        if (!sockets.tcpServer.has(id) || !s.connected || s.paused || n >= 3) return;
        n++;
        const c = make('tcp');
        c.paused = true;
        c.connected = true;
        c.acceptedBy = id;
        c.peer = ['127.0.0.1', ++ephemeral];
        ev.accept.fire({ socketId: id, clientSocketId: c.id });
        deliver(c, enc(`hello from client ${n}\r\n`));
      };
      setTimeout(accept, 1000);
      s.timer = setInterval(accept, 4000);
    },
    disconnect(id: number, cb?: () => void) {
      const s = sockets.tcpServer.get(id);
      if (!s) return reply(cb, [], 'Socket not found');
      if (s.timer) clearInterval(s.timer);
      s.connected = false;
      s.local = undefined;
      reply(cb, []);
    },
    close(id: number, cb?: () => void) {
      const s = sockets.tcpServer.get(id);
      if (!s) return reply(cb, [], 'Socket not found');
      if (s.timer) clearInterval(s.timer);
      sockets.tcpServer.delete(id);
      reply(cb, []);
    },
    getInfo(id: number, cb: (i: unknown) => void) {
      const s = sockets.tcpServer.get(id);
      if (!s) return reply(cb, [], 'Socket not found');
      reply(cb, [serverInfo(s)]);
    },
    getSockets(cb: (i: unknown[]) => void) {
      reply(cb, [[...sockets.tcpServer.values()].map(serverInfo)]);
    },
    onAccept: ev.accept,
    onAcceptError: ev.acceptError,
  };
  function serverInfo(s: FakeSocket) {
    return strip({
      socketId: s.id,
      persistent: s.persistent,
      name: s.name || undefined,
      paused: s.paused,
      localAddress: s.local?.[0],
      localPort: s.local?.[1],
    });
  }

  const udp = {
    create(props: { name?: string; bufferSize?: number; persistent?: boolean }, cb: (i: { socketId: number }) => void) {
      reply(cb, [{ socketId: make('udp', props).id }]);
    },
    update: (id: number, props: object, cb?: () => void) => {
      const s = sockets.udp.get(id);
      if (!s) return reply(cb, [], 'Socket not found');
      Object.assign(s, props);
      reply(cb, []);
    },
    setPaused(id: number, paused: boolean, cb?: () => void) {
      const s = sockets.udp.get(id);
      if (!s) return reply(cb, [], 'Socket not found');
      s.paused = paused;
      reply(cb, []);
    },
    bind(id: number, address: string, port: number, cb: (r: number) => void) {
      const s = sockets.udp.get(id);
      if (!s) return reply(cb, [], 'Socket not found');
      if (s.local) return netFail(cb, -104);
      if (!/^[\d.:]+$/.test(address)) return netFail(cb, -4);
      s.local = [address, port || ++ephemeral];
      reply(cb, [0]);
    },
    send(id: number, data: ArrayBuffer, address: string, port: number, _dns: string | undefined, cb: (i: { resultCode: number }) => void) {
      const s = sockets.udp.get(id);
      if (!s) return reply(cb, [], 'Socket not found');
      if (!s.local) return reply(cb, [{ resultCode: -15 }], netErrorMessage(-15));
      if (data.byteLength > 65535) return reply(cb, [{ resultCode: -142 }], netErrorMessage(-142));
      s.tx += data.byteLength;
      reply(cb, [{ resultCode: 0, bytesSent: data.byteLength }]);
      const loop = port === s.local[1] || port === 7;
      if (loop && !s.paused) {
        setTimeout(() => {
          s.rx += data.byteLength;
          ev.udpReceive.fire({
            socketId: id,
            data: data.slice(0),
            remoteAddress: address === 'localhost' ? '127.0.0.1' : address,
            remotePort: port === 7 ? 7 : s.local![1],
          });
        }, 5);
      }
    },
    close(id: number, cb?: () => void) {
      if (!sockets.udp.delete(id)) return reply(cb, [], 'Socket not found');
      reply(cb, []);
    },
    getInfo(id: number, cb: (i: unknown) => void) {
      const s = sockets.udp.get(id);
      if (!s) return reply(cb, [], 'Socket not found');
      reply(cb, [udpInfo(s)]);
    },
    getSockets(cb: (i: unknown[]) => void) {
      reply(cb, [[...sockets.udp.values()].map(udpInfo)]);
    },
    joinGroup(id: number, address: string, cb: (r: number) => void) {
      const s = sockets.udp.get(id);
      if (!s) return reply(cb, [], 'Socket not found');
      if (!/^(22[4-9]|23\d)\./.test(address) || s.groups.includes(address)) return netFail(cb, -108);
      if (!s.local) return netFail(cb, -9);
      s.groups.push(address);
      reply(cb, [0]);
    },
    leaveGroup(id: number, address: string, cb: (r: number) => void) {
      const s = sockets.udp.get(id);
      if (!s) return reply(cb, [], 'Socket not found');
      if (!s.groups.includes(address)) return netFail(cb, -108);
      s.groups = s.groups.filter((g) => g !== address);
      reply(cb, [0]);
    },
    setMulticastTimeToLive(id: number, ttl: number, cb: (r: number) => void) {
      const s = sockets.udp.get(id);
      if (!s) return reply(cb, [], 'Socket not found');
      if (ttl < 0 || ttl > 255) return netFail(cb, -4);
      if (s.local) return netFail(cb, -23);
      reply(cb, [0]);
    },
    setMulticastLoopbackMode(id: number, _e: boolean, cb: (r: number) => void) {
      const s = sockets.udp.get(id);
      if (!s) return reply(cb, [], 'Socket not found');
      if (s.local) return netFail(cb, -23);
      reply(cb, [0]);
    },
    getJoinedGroups(id: number, cb: (g: string[]) => void) {
      const s = sockets.udp.get(id);
      if (!s) return reply(cb, [], 'Socket not found');
      reply(cb, [[...s.groups]]);
    },
    setBroadcast(id: number, _e: boolean, cb: (r: number) => void) {
      const s = sockets.udp.get(id);
      if (!s) return reply(cb, [], 'Socket not found');
      if (!s.local) return netFail(cb, -15);
      reply(cb, [0]);
    },
    onReceive: ev.udpReceive,
    onReceiveError: ev.udpReceiveError,
  };
  function udpInfo(s: FakeSocket) {
    return strip({
      socketId: s.id,
      persistent: s.persistent,
      name: s.name || undefined,
      bufferSize: s.bufferSize && s.bufferSize > 0 ? s.bufferSize : undefined,
      paused: s.paused,
      localAddress: s.local?.[0],
      localPort: s.local?.[1],
    });
  }

  const chrome = { sockets: { tcp, tcpServer, udp }, runtime } as unknown as SocketsChrome;

  const started = Date.now();
  async function inspect(): Promise<InspectSnapshot> {
    const own: InspectSocket[] = [];
    for (const kind of ['tcp', 'tcpServer', 'udp'] as const) {
      for (const s of sockets[kind].values()) {
        own.push({
          app: 'socket-debugger',
          kind,
          id: s.id,
          name: s.name,
          persistent: s.persistent,
          state:
            kind === 'tcp'
              ? s.connected
                ? 'connected'
                : 'idle'
              : kind === 'tcpServer'
                ? s.connected
                  ? 'listening'
                  : 'idle'
                : s.local
                  ? 'bound'
                  : 'idle',
          secure: s.secure,
          acceptedBy: s.acceptedBy,
          paused: s.paused,
          pausedBy: s.paused ? ['app'] : [],
          localAddress: s.local?.[0],
          localPort: s.local?.[1],
          peerAddress: s.peer?.[0],
          peerPort: s.peer?.[1],
          bytesReceived: s.rx,
          bytesSent: s.tx,
          groups: kind === 'udp' ? s.groups : undefined,
        });
      }
    }
    const t = (Date.now() - started) / 1000;
    const other: InspectSocket[] = [
      {
        app: 'com.example.telnet',
        kind: 'tcp',
        id: 1,
        name: 'bbs',
        persistent: false,
        state: 'connected',
        localAddress: '192.168.1.20',
        localPort: 51022,
        peerAddress: '192.168.1.1',
        peerPort: 23,
        paused: false,
        pausedBy: [],
        bytesReceived: Math.round(18_000 + t * 120),
        bytesSent: 412,
      },
      {
        app: 'com.example.telnet',
        kind: 'tcp',
        id: 2,
        persistent: true,
        state: 'connected',
        localAddress: '192.168.1.20',
        localPort: 51040,
        peerAddress: '10.0.0.5',
        peerPort: 8080,
        paused: false,
        pausedBy: ['flow'],
        bytesReceived: Math.round(48_000_000 + t * 2_400_000),
        bytesSent: 96,
      },
      {
        app: 'com.example.telnet',
        kind: 'tcp',
        id: 3,
        persistent: false,
        state: 'idle',
        paused: true,
        pausedBy: ['error'],
        bytesReceived: 2048,
        bytesSent: 18,
        lastErrorCode: -100,
      },
      {
        app: 'org.example.mdns',
        kind: 'udp',
        id: 1,
        name: 'mdns',
        persistent: true,
        state: 'bound',
        localAddress: '0.0.0.0',
        localPort: 5353,
        paused: false,
        pausedBy: [],
        bytesReceived: 88_123,
        bytesSent: 1_024,
        groups: ['224.0.0.251'],
      },
      {
        app: 'org.example.mdns',
        kind: 'tcpServer',
        id: 1,
        persistent: false,
        state: 'listening',
        localAddress: '127.0.0.1',
        localPort: 8443,
        paused: true,
        pausedBy: ['app'],
        bytesReceived: 0,
        bytesSent: 0,
      },
    ];
    return {
      takenAt: Date.now(),
      contexts: [
        { id: 1, app: 'socket-debugger', label: 'Socket debugger', background: true, unackedBytes: 0, flowBlocked: false },
        { id: 2, app: 'com.example.telnet', label: 'index.html', background: true, unackedBytes: 9_437_184, flowBlocked: true },
        { id: 3, app: 'com.example.telnet', label: 'terminal window', background: false, unackedBytes: 0, flowBlocked: false },
        { id: 4, app: 'org.example.mdns', label: 'background.html', background: true, unackedBytes: 0, flowBlocked: false },
      ],
      apps: [{ app: 'socket-debugger', writeQuota: { used: 0, limit: 200 * 1024 * 1024 } }],
      sockets: [...own, ...other],
    };
  }

  return { chrome, inspect };
}
