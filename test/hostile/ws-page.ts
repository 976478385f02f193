/** A raw page on the browser host's WebSocket: what a hostile page can send, bypassing the facade. */
import { WebSocket } from 'ws';
import { DownFrameAssembler, encodeFrame } from '../../common/binary-frame';
import type { BatchMessage, DownItem, ResultMessage } from '../../common/protocol';
import { SUBPROTOCOL } from '../../main/browser-host/request-checks';
import type { BrowserHost } from '../../main/browser-host/server';

export interface RawWsPage {
  readonly ws: WebSocket;
  /** Every item of every batch received, in order. */
  readonly items: DownItem[];
  /** Data bytes received in events. */
  receivedBytes: number;
  /** Payload bytes of received events, concatenated per socket id, when `keepData`. */
  readonly data: Map<number, Buffer[]>;
  /** Ack every batch as the facade would (false: a page that never acks). */
  ackBatches: boolean;
  send(message: unknown): void;
  call(id: number, ns: string, m: string, a: unknown[]): Promise<ResultMessage>;
  result(id: number): Promise<ResultMessage>;
  closed: Promise<number>;
}

export function openRawWs(server: BrowserHost, options: { keepData?: boolean } = {}): Promise<RawWsPage> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, [SUBPROTOCOL, `token.${server.token}`], {
    origin: `http://127.0.0.1:${server.port}`,
  });
  const waiters = new Map<number, (r: ResultMessage) => void>();
  const page: RawWsPage = {
    ws,
    items: [],
    receivedBytes: 0,
    data: new Map(),
    ackBatches: true,
    send: (message) => ws.send(encodeFrame(message)),
    call(id, ns, m, a) {
      const result = page.result(id);
      page.send({ t: 'call', id, ns, m, a });
      return result;
    },
    result(id) {
      const found = page.items.find((i): i is ResultMessage => i.t === 'r' && i.id === id);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve) => waiters.set(id, resolve));
    },
    closed: new Promise((resolve) => ws.once('close', (code) => resolve(code))),
  };
  ws.on('error', () => {});
  const assembler = new DownFrameAssembler();
  ws.on('message', (bytes: Buffer) => {
    const message = assembler.push(new Uint8Array(bytes)) as BatchMessage | undefined;
    if (message?.t !== 'b') return;
    let credit = 0;
    for (const item of message.m) {
      page.items.push(item);
      if (item.t === 'r') {
        waiters.get(item.id)?.(item);
        waiters.delete(item.id);
        continue;
      }
      if (item.t === 'c') continue;
      credit += 64;
      if (item.d !== undefined) {
        const [index, offset, length] = item.d;
        page.receivedBytes += length;
        credit += length;
        if (options.keepData) {
          const id = item.arg.socketId as number;
          const list = page.data.get(id) ?? [];
          list.push(Buffer.from(message.bufs[index], offset, length));
          page.data.set(id, list);
        }
      }
    }
    if (page.ackBatches && credit > 0) page.send({ t: 'ack', n: credit });
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(page));
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
  });
}
