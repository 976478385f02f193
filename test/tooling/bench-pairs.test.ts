import { expect } from 'chai';
import { collectGarbage, parseBenchArgs, putSpread, runPairs, spread, wants } from '../../bench/pairs';
import { cpuBoundRate } from '../../bench/thread-cpu';

describe('bench/pairs', () => {
  describe('runPairs', () => {
    it('interleaves raw and ours, alternating which goes first, with a settle before each side', async () => {
      const order: string[] = [];
      let n = 0;
      const pairs = await runPairs(
        3,
        async () => (order.push('raw'), ++n),
        async () => (order.push('ours'), ++n),
        async () => void order.push('settle'),
      );
      expect(order.filter((o) => o !== 'settle')).to.deep.equal(['raw', 'ours', 'ours', 'raw', 'raw', 'ours']);
      expect(order.filter((o, i) => o !== 'settle' && order[i - 1] !== 'settle')).to.deep.equal([]);
      expect(pairs).to.deep.equal([
        { raw: 1, ours: 2 },
        { raw: 4, ours: 3 },
        { raw: 5, ours: 6 },
      ]);
    });
  });

  describe('collectGarbage', () => {
    it('runs a full collection without --expose-gc on the command line', async () => {
      const ref = new WeakRef({ big: new Array(1000).fill(1) });
      // A WeakRef's target lives at least until the end of the job that made it.
      await new Promise((resolve) => setImmediate(resolve));
      collectGarbage();
      expect(ref.deref()).to.equal(undefined);
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

    it('reads --only as a list of workload keys; a browser key implies --browser', () => {
      expect(parseBenchArgs(['--only', 'rtt,send_loop_ratio'])).to.deep.equal({
        quick: false,
        repeat: 5,
        browser: false,
        only: new Set(['rtt', 'send_loop_ratio']),
      });
      expect(parseBenchArgs(['--only=window_flood_ratio'])).to.include({ browser: true });
      expect(wants(parseBenchArgs(['--only=rtt']), 'rtt')).to.equal(true);
      expect(wants(parseBenchArgs(['--only=rtt']), 'flood')).to.equal(false);
      expect(wants(parseBenchArgs([]), 'flood')).to.equal(true);
    });

    it('refuses an --only key it does not know, naming the known ones', () => {
      expect(() => parseBenchArgs(['--only', 'rtt,nope'])).to.throw('--only: unknown workload nope; known: recv_ratio_65536');
    });

    it('refuses a --repeat that is not a whole number ≥ 1', () => {
      expect(() => parseBenchArgs(['--repeat', '0'])).to.throw('--repeat needs a whole number of pairs ≥ 1, got 0');
      expect(() => parseBenchArgs(['--repeat'])).to.throw('got undefined');
      expect(() => parseBenchArgs(['--repeat=2.5'])).to.throw('got 2.5');
    });
  });

  describe('cpuBoundRate', () => {
    it('is bound by the busiest thread or by all the CPU over the cores, whichever is lower', () => {
      // 1.3 ms per unit over 2 cores: 1538 units/s; the host alone would allow 2000.
      expect(cpuBoundRate({ host: 0.5, page: 0.2, process: 1.0, peer: 0.3 }, 2)).to.be.closeTo(1538.5, 0.1);
      // A host thread at 0.8 ms per unit can do no more than 1250 a second.
      expect(cpuBoundRate({ host: 0.8, page: 0.2, process: 1.0, peer: 0.3 }, 2)).to.equal(1250);
      // The page thread, likewise; and on 4 cores the sum no longer binds.
      expect(cpuBoundRate({ host: 0.2, page: 0.4, process: 1.0, peer: 0.3 }, 4)).to.equal(2500);
      // The raw side has no page thread (0 ms): only its one thread and the sum count.
      expect(cpuBoundRate({ host: 0.25, page: 0, process: 0.3, peer: 0.2 }, 2)).to.equal(4000);
    });
  });
});
