import { expect } from 'chai';
import { ThroughputMeter } from '../../renderer/lib/throughput';

describe('renderer/lib/throughput', () => {
  describe('ThroughputMeter', () => {
    it('reports bytes per second over completed buckets', () => {
      const m = new ThroughputMeter({ bucketMs: 100, bucketCount: 50 });
      for (let t = 0; t < 1000; t += 10) m.record(100, t); // 10 kB over one second
      expect(m.rate(1000, 1000)).to.equal(10_000);
    });

    it('ignores the bucket that is still filling', () => {
      const m = new ThroughputMeter({ bucketMs: 100, bucketCount: 50 });
      m.record(5000, 1050);
      expect(m.rate(1050, 1000)).to.equal(0);
      expect(m.rate(1100, 1000)).to.equal(5000);
    });

    it('forgets buckets older than its span', () => {
      const m = new ThroughputMeter({ bucketMs: 100, bucketCount: 10 });
      m.record(1000, 0);
      expect(m.series(500)[4]).to.equal(10_000);
      expect(Array.from(m.series(5000)).every((v) => v === 0)).to.equal(true);
      // A slot reused by a later bucket must not carry the old sum.
      m.record(7, 1000);
      expect(m.series(1100).at(-1)).to.equal(70);
    });

    it('returns a series aligned so the newest completed bucket is last', () => {
      const m = new ThroughputMeter({ bucketMs: 250, bucketCount: 5 });
      m.record(250, 0);
      m.record(500, 250);
      expect(Array.from(m.series(500))).to.deep.equal([0, 0, 1000, 2000]);
    });

    it('resets to zero', () => {
      const m = new ThroughputMeter({ bucketMs: 100, bucketCount: 10 });
      m.record(100, 0);
      m.reset();
      expect(m.rate(100, 100)).to.equal(0);
    });
  });
});
