import { expect } from 'chai';
import { parseBenchArgs, putSpread, runPairs, spread } from '../../bench/pairs';

describe('bench/pairs', () => {
  describe('runPairs', () => {
    it('interleaves raw and ours, raw first in every pair', async () => {
      const order: string[] = [];
      let n = 0;
      const pairs = await runPairs(
        3,
        async () => (order.push('raw'), ++n),
        async () => (order.push('ours'), ++n),
      );
      expect(order).to.deep.equal(['raw', 'ours', 'raw', 'ours', 'raw', 'ours']);
      expect(pairs).to.deep.equal([
        { raw: 1, ours: 2 },
        { raw: 3, ours: 4 },
        { raw: 5, ours: 6 },
      ]);
    });
  });

  describe('putSpread', () => {
    it('writes the median of per-pair ratios under the key, with _min and _max', () => {
      const out: Record<string, number> = {};
      putSpread(out, 'recv_ratio', [0.5, 0.9, 0.7, 0.61234, 0.8]);
      expect(out).to.deep.equal({ recv_ratio: 0.7, recv_ratio_min: 0.5, recv_ratio_max: 0.9 });
    });

    it('takes the mean of the middle two for an even count', () => {
      expect(spread([1, 4, 2, 3])).to.deep.equal({ median: 2.5, min: 1, max: 4 });
    });
  });

  describe('parseBenchArgs', () => {
    it('defaults to 5 pairs, full workloads, no browser', () => {
      expect(parseBenchArgs([])).to.deep.equal({ quick: false, repeat: 5, browser: false });
    });

    it('reads --repeat N, --repeat=N, --quick and --browser', () => {
      expect(parseBenchArgs(['--quick', '--repeat', '9', '--browser'])).to.deep.equal({ quick: true, repeat: 9, browser: true });
      expect(parseBenchArgs(['--repeat=7'])).to.include({ repeat: 7 });
    });

    it('refuses a --repeat that is not a whole number ≥ 1', () => {
      expect(() => parseBenchArgs(['--repeat', '0'])).to.throw('--repeat needs a whole number of pairs ≥ 1, got 0');
      expect(() => parseBenchArgs(['--repeat'])).to.throw('got undefined');
      expect(() => parseBenchArgs(['--repeat=2.5'])).to.throw('got 2.5');
    });
  });
});
