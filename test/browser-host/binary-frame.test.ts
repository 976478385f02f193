import { expect } from 'chai';
import {
  decodeFrame,
  DownFrameAssembler,
  encodeDownParts,
  encodeFrame,
  encodeFrameParts,
  FrameError,
  SEPARATE_PAYLOAD_BYTES,
} from '../../common/binary-frame';

function bytes(...values: number[]): ArrayBuffer {
  return new Uint8Array(values).buffer;
}

function frameOf(header: unknown, ...payloads: number[][]): Uint8Array {
  const head = new TextEncoder().encode(JSON.stringify(header));
  const body = payloads.flat();
  const out = new Uint8Array(4 + head.byteLength + body.length);
  new DataView(out.buffer).setUint32(0, head.byteLength, true);
  out.set(head, 4);
  out.set(body, 4 + head.byteLength);
  return out;
}

function expectRejected(frame: Uint8Array): void {
  expect(() => decodeFrame(frame)).to.throw(FrameError);
}

describe('common/binary-frame', () => {
  describe('round trip', () => {
    it('restores a batch with its buffers, in order, as fresh ArrayBuffers', () => {
      const a = bytes(1, 2, 3);
      const b = bytes(250, 251);
      const batch = {
        t: 'b',
        m: [
          { t: 'r', id: 1, a: [{ socketId: 7 }] },
          { t: 'e', ns: 'tcp', ev: 'onReceive', arg: { socketId: 7 }, d: [1, 0, 2] },
        ],
        bufs: [a, b],
      };
      const frame = encodeFrame(batch);
      const back = decodeFrame(frame) as typeof batch;
      expect(back.m).to.deep.equal(batch.m);
      expect(back.bufs).to.have.length(2);
      expect(Object.prototype.toString.call(back.bufs[0])).to.equal('[object ArrayBuffer]');
      expect([...new Uint8Array(back.bufs[0])]).to.deep.equal([1, 2, 3]);
      expect([...new Uint8Array(back.bufs[1])]).to.deep.equal([250, 251]);
      expect(back.bufs[0]).to.not.equal(frame.buffer);
      expect(back.bufs[0].byteLength).to.equal(3);
    });

    it('keeps a call with send data in its argument slot', () => {
      const data = new Uint8Array(1000).map((_, i) => i % 256).buffer;
      const call = { t: 'call', id: 3, ns: 'tcp', m: 'send', a: [5, data] };
      const back = decodeFrame(encodeFrame(call)) as typeof call;
      expect(back.a[0]).to.equal(5);
      expect(new Uint8Array(back.a[1] as ArrayBuffer)).to.deep.equal(new Uint8Array(data));
    });

    it('copies only the viewed bytes of a view at an odd offset and restores its kind', () => {
      const backing = new Uint8Array([9, 9, 9, 1, 2, 3, 4, 5, 9, 9]);
      const view = new Uint8Array(backing.buffer, 3, 5);
      const dv = new DataView(backing.buffer, 1, 3);
      const i16 = new Int16Array([-1, 2, -3]);
      const back = decodeFrame(encodeFrame({ a: [view, dv, i16] })) as { a: [Uint8Array, DataView, Int16Array] };
      expect(back.a[0]).to.be.instanceOf(Uint8Array);
      expect([...back.a[0]]).to.deep.equal([1, 2, 3, 4, 5]);
      expect(back.a[0].byteOffset).to.equal(0);
      expect(back.a[0].buffer.byteLength).to.equal(5);
      expect(back.a[1]).to.be.instanceOf(DataView);
      expect(back.a[1].byteLength).to.equal(3);
      expect(back.a[1].getUint8(0)).to.equal(9);
      expect([...back.a[2]]).to.deep.equal([-1, 2, -3]);
    });

    it('decodes a frame that itself sits at an odd offset of a larger buffer', () => {
      const frame = encodeFrame({ t: 'call', a: [bytes(7, 8, 9)] });
      const host = new Uint8Array(frame.byteLength + 6);
      host.set(frame, 3);
      const back = decodeFrame(host.subarray(3, 3 + frame.byteLength)) as { a: [ArrayBuffer] };
      expect([...new Uint8Array(back.a[0])]).to.deep.equal([7, 8, 9]);
    });

    it('carries zero-length buffers', () => {
      const back = decodeFrame(encodeFrame({ bufs: [new ArrayBuffer(0), bytes(1), new ArrayBuffer(0)] })) as { bufs: ArrayBuffer[] };
      expect(back.bufs.map((b) => b.byteLength)).to.deep.equal([0, 1, 0]);
    });

    it('keeps undefined slots as a structured clone would', () => {
      const back = decodeFrame(encodeFrame({ a: [1, undefined, null], o: { k: undefined } })) as { a: unknown[]; o: object };
      expect(back.a).to.have.length(3);
      expect(back.a[1]).to.equal(undefined);
      expect(back.a[2]).to.equal(null);
      expect(back.o).to.have.own.property('k');
    });

    it('does not mistake a look-alike object for a buffer', () => {
      const message = { a: [{ $b: 0 }, { b: [[['a', 0], 0]] }] };
      expect(decodeFrame(encodeFrame(message))).to.deep.equal(message);
    });

    it('carries a buffer as the whole message', () => {
      const back = decodeFrame(encodeFrame(bytes(4, 2)));
      expect([...new Uint8Array(back as ArrayBuffer)]).to.deep.equal([4, 2]);
    });

    it("gives the payloads as views on the caller's buffers, and parts that join into the frame", () => {
      const a = bytes(1, 2, 3);
      const backing = new Uint8Array([0, 4, 5, 0]);
      const message = { t: 'b', m: [{ t: 'e', s: 'é€😀' }], bufs: [a, new Uint8Array(backing.buffer, 1, 2)] };
      const parts = encodeFrameParts(message);
      expect(parts).to.have.length(3);
      expect(parts[1].buffer).to.equal(a);
      expect(parts[2].buffer).to.equal(backing.buffer);
      expect(parts[2].byteOffset).to.equal(1);
      const joined = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
      let at = 0;
      for (const part of parts) {
        joined.set(part, at);
        at += part.byteLength;
      }
      expect(joined).to.deep.equal(encodeFrame(message));
      expect((decodeFrame(joined) as typeof message).m).to.deep.equal(message.m);
    });

    it('refuses to encode functions and cycles', () => {
      expect(() => encodeFrame({ f: () => 1 })).to.throw(TypeError);
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      expect(() => encodeFrame(cyclic)).to.throw(TypeError);
    });
  });

  describe('malformed frames', () => {
    it('rejects frames shorter than the length prefix', () => {
      expectRejected(new Uint8Array(0));
      expectRejected(new Uint8Array([1, 0, 0]));
    });

    it('rejects a header length past the end', () => {
      const frame = encodeFrame({ t: 'ack', n: 1 });
      new DataView(frame.buffer).setUint32(0, frame.byteLength, true);
      expectRejected(frame);
      new DataView(frame.buffer).setUint32(0, 0xffffffff, true);
      expectRejected(frame);
    });

    it('rejects a header that is not UTF-8 JSON or not a header', () => {
      const bad = new Uint8Array([3, 0, 0, 0, 0xff, 0xfe, 0x7b]);
      expectRejected(bad);
      expectRejected(frameOf('m'));
      expectRejected(frameOf([1]));
      expectRejected(frameOf({ x: 1 }));
      expectRejected(frameOf({ m: null, b: 'no' }));
    });

    it('rejects payload lengths that do not add up', () => {
      expectRejected(frameOf({ m: { a: null }, b: [[['a'], 5]] }, [1, 2]));
      expectRejected(frameOf({ m: { a: null }, b: [[['a'], 1]] }, [1, 2]));
      expectRejected(frameOf({ m: { a: null } }, [1]));
      expectRejected(frameOf({ m: { a: null }, b: [[['a'], -1]] }));
      expectRejected(frameOf({ m: { a: null }, b: [[['a'], 0.5]] }));
    });

    it('rejects paths that do not name a placeholder', () => {
      expectRejected(frameOf({ m: { a: 1 }, b: [[['a'], 1]] }, [1]));
      expectRejected(frameOf({ m: { a: null }, b: [[['b'], 1]] }, [1]));
      expectRejected(frameOf({ m: { a: [null] }, b: [[['a', '0'], 1]] }, [1]));
      expectRejected(
        frameOf(
          {
            m: { a: null },
            b: [
              [['a'], 1],
              [['a'], 1],
            ],
          },
          [1],
          [2],
        ),
      );
      expectRejected(frameOf({ m: { a: null }, b: [[['a', 'x'], 1]] }, [1]));
      expectRejected(frameOf({ m: { a: null }, u: [['a'], ['a']] }));
      expectRejected(frameOf({ m: 5, b: [[[], 1]] }, [1]));
    });

    it('rejects __proto__ paths and leaves Object.prototype alone', () => {
      expectRejected(frameOf({ m: JSON.parse('{"__proto__": null}'), b: [[['__proto__'], 1]] }, [1]));
      expectRejected(frameOf({ m: { a: {} }, b: [[['a', '__proto__', 'polluted'], 1]] }, [1]));
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    });

    it('rejects unknown view kinds and ragged element counts', () => {
      expectRejected(frameOf({ m: { a: null }, b: [[['a'], 1, 'Buffer']] }, [1]));
      expectRejected(frameOf({ m: { a: null }, b: [[['a'], 3, 'Uint16Array']] }, [1, 2, 3]));
    });

    it('throws nothing but FrameError for random bytes', () => {
      let seed = 12345;
      const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
      const good = encodeFrame({ t: 'call', id: 1, ns: 'tcp', m: 'send', a: [1, bytes(1, 2, 3)] });
      for (let i = 0; i < 2000; i++) {
        const frame = good.slice();
        const flips = 1 + Math.floor(rand() * 4);
        for (let j = 0; j < flips; j++) frame[Math.floor(rand() * frame.length)] = Math.floor(rand() * 256);
        try {
          decodeFrame(frame.subarray(0, Math.floor(rand() * (frame.length + 1))));
        } catch (err) {
          expect(err).to.be.instanceOf(FrameError);
        }
      }
    });
  });

  describe('down batches with payloads of their own', () => {
    const join = (parts: Uint8Array[]): Uint8Array => {
      const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.byteLength;
      }
      return out;
    };

    it('sends large payloads after the frame and gives the page those very ArrayBuffers back', () => {
      const large1 = new Uint8Array(SEPARATE_PAYLOAD_BYTES).fill(1).buffer;
      const large2 = new Uint8Array(SEPARATE_PAYLOAD_BYTES + 5).fill(2).buffer;
      const small = bytes(9, 9);
      const batch = {
        t: 'b',
        m: [{ t: 'e', ns: 'tcp', ev: 'onReceive', arg: { socketId: 1 }, d: [0, 0, 1] }],
        bufs: [large1, small, large2],
      };
      const { frame, payloads } = encodeDownParts(batch);
      expect(payloads).to.deep.equal([large1, large2]);
      const assembler = new DownFrameAssembler();
      expect(assembler.push(join(frame).slice().buffer)).to.equal(undefined);
      const got1 = large1.slice(0);
      const got2 = large2.slice(0);
      expect(assembler.push(got1)).to.equal(undefined);
      const message = assembler.push(got2) as typeof batch;
      expect(message).to.deep.equal(batch);
      expect(message.bufs[0]).to.equal(got1);
      expect(message.bufs[2]).to.equal(got2);
      // The next frame starts a new message.
      const plain = { t: 'b', m: [], bufs: [small] };
      expect(assembler.push(join(encodeDownParts(plain).frame))).to.deep.equal(plain);
    });

    it('keeps a batch of small payloads, and any other message, one frame', () => {
      for (const message of [
        { t: 'b', m: [], bufs: [bytes(1)] },
        { t: 'w', v: 1, appId: 'x' },
      ]) {
        const { frame, payloads } = encodeDownParts(message);
        expect(payloads).to.have.length(0);
        expect(new DownFrameAssembler().push(join(frame))).to.deep.equal(message);
      }
    });

    it('rejects a separate-payload list that names no placeholder', () => {
      for (const sep of [[0], [5], [1, 1], ['1'], []]) {
        const frame = encodeFrame({ t: 'b', m: [], bufs: [bytes(1), null], sep });
        expect(() => new DownFrameAssembler().push(frame)).to.throw(FrameError);
      }
    });
  });
});
