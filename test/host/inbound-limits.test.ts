/**
 * The bound on messages a page context holds back (main/context/inbound.ts): on a carrier that
 * shows its backlog (the browser host's WebSocket) at most CALLS_PER_FLUSH calls are taken
 * between two flushes; the rest wait in order, and once MAX_DEFERRED wait the carrier stops
 * reading the page until they are taken. Driven here with a page that floods calls faster than
 * they are taken, on the real Inbound with a recording port and sink.
 */
import { expect } from 'chai';
import type { WireNamespace } from '../../common/methods';
import { PROTOCOL_VERSION } from '../../common/protocol';
import type { HostPort } from '../../common/port';
import { CALLS_PER_FLUSH, Inbound, MAX_DEFERRED, type InboundSink } from '../../main/context/inbound';
import { until } from '../support/wait';

type Target = { readonly ns: WireNamespace; readonly method: string };

describe('page context: messages held back', () => {
  it(`stops reading the page once ${MAX_DEFERRED} messages wait, and takes every one in order before reading again`, async () => {
    const pauses: boolean[] = [];
    const taken: number[] = [];
    let flushes = 0;
    // The sink reports back to the Inbound it serves (the page context does the same).
    const ref: { inbound?: Inbound<Target> } = {};
    const port: HostPort = {
      postMessage: () => undefined,
      onMessage: () => undefined,
      onClose: () => undefined,
      close: () => undefined,
      backlog: 0,
      pauseIncoming: (paused) => void pauses.push(paused),
    };
    const sink: InboundSink<Target> = {
      resolve: () => ({ ns: 'tcp', method: 'getInfo' }),
      hello: () => undefined,
      ack: () => undefined,
      listen: () => undefined,
      call: (id) => {
        taken.push(id);
        ref.inbound?.callTaken();
      },
      creditedSend: () => undefined,
      creditReleased: () => undefined,
      refuse: () => undefined,
      flush: () => {
        flushes++;
        ref.inbound?.flushed();
      },
      carrierHeld: () => false,
      log: () => undefined,
    };
    const inbound = new Inbound('context 1 (app a)', port, 65536, sink);
    ref.inbound = inbound;
    inbound.onMessage({ t: 'hello', v: PROTOCOL_VERSION });
    const total = MAX_DEFERRED + CALLS_PER_FLUSH + 100;
    // One burst, as a page's flood arrives before the host's next turn.
    let pausedAt: number | undefined;
    for (let id = 0; id < total; id++) {
      inbound.onMessage({ t: 'call', id, ns: 'tcp', m: 'getInfo', a: [id] });
      if (pausedAt === undefined && pauses.length > 0) pausedAt = id;
    }
    // The carrier stops reading with the message that makes MAX_DEFERRED wait, not before or after.
    expect(pausedAt).to.equal(CALLS_PER_FLUSH + MAX_DEFERRED - 1);
    expect(taken.length).to.equal(CALLS_PER_FLUSH);
    expect(pauses).to.deep.equal([true]);
    // The held-back calls are taken a flush at a time, in order, and reading resumes.
    await until(() => taken.length === total, 'every call taken');
    expect(taken).to.deep.equal(Array.from({ length: total }, (_, i) => i));
    expect(pauses).to.deep.equal([true, false]);
    expect(flushes).to.be.at.least(Math.floor((total - CALLS_PER_FLUSH) / CALLS_PER_FLUSH));
    inbound.close();
  });
});
