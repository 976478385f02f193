import { expect } from 'chai';
import { RingLog } from '../../renderer/lib/ring-log';

function ring(maxEntries: number, maxBytes: number) {
  return new RingLog<{ id: number; size: number }>({ maxEntries, maxBytes, sizeOf: (x) => x.size });
}

describe('renderer/lib/ring-log', () => {
  describe('RingLog', () => {
    it('keeps items in push order', () => {
      const r = ring(4, 1000);
      for (let i = 0; i < 3; i++) r.push({ id: i, size: 1 });
      expect(r.toArray().map((x) => x.id)).to.deep.equal([0, 1, 2]);
      expect(r.last()?.id).to.equal(2);
    });

    it('evicts the oldest when the entry bound is reached', () => {
      const r = ring(3, 1000);
      for (let i = 0; i < 10; i++) r.push({ id: i, size: 1 });
      expect(r.toArray().map((x) => x.id)).to.deep.equal([7, 8, 9]);
      expect(r.droppedEntries).to.equal(7);
      expect(r.total).to.equal(10);
      expect(r.bytes).to.equal(3);
    });

    it('evicts the oldest when the byte bound would be exceeded', () => {
      const r = ring(100, 10);
      r.push({ id: 0, size: 4 });
      r.push({ id: 1, size: 4 });
      r.push({ id: 2, size: 4 });
      expect(r.toArray().map((x) => x.id)).to.deep.equal([1, 2]);
      expect(r.bytes).to.equal(8);
      expect(r.droppedBytes).to.equal(4);
    });

    it('keeps an oversized newest item on its own rather than dropping it', () => {
      const r = ring(100, 10);
      r.push({ id: 0, size: 4 });
      r.push({ id: 1, size: 50 });
      expect(r.toArray().map((x) => x.id)).to.deep.equal([1]);
    });

    it('stays bounded under a flood', () => {
      const r = ring(1000, 64 * 1024);
      for (let i = 0; i < 200_000; i++) r.push({ id: i, size: 100 });
      expect(r.length).to.be.at.most(1000);
      expect(r.bytes).to.be.at.most(64 * 1024);
      expect(r.at(0)!.id).to.equal(200_000 - r.length);
    });

    it('answers undefined outside its range', () => {
      const r = ring(2, 10);
      expect(r.at(0)).to.equal(undefined);
      r.push({ id: 0, size: 1 });
      expect(r.at(-1)).to.equal(undefined);
      expect(r.at(1)).to.equal(undefined);
    });

    it('forgets everything on clear', () => {
      const r = ring(2, 10);
      for (let i = 0; i < 5; i++) r.push({ id: i, size: 1 });
      r.clear();
      expect([r.length, r.bytes, r.total, r.droppedEntries, r.droppedBytes]).to.deep.equal([0, 0, 0, 0, 0]);
      r.push({ id: 9, size: 1 });
      expect(r.toArray().map((x) => x.id)).to.deep.equal([9]);
    });
  });
});
