import { expect } from 'chai';
import { median, percentile, summarize } from '../../../bench/support/percentiles';

describe('bench/support/percentiles: nearest-rank percentiles', () => {
  it('takes the value at rank ceil(p/100 × n) of the sorted values, whatever their order', () => {
    const values = [7, 1, 10, 3, 5, 2, 9, 4, 8, 6]; // 1..10 shuffled
    expect(percentile(values, 50)).to.equal(5);
    expect(percentile(values, 90)).to.equal(9);
    expect(percentile(values, 99)).to.equal(10);
    expect(percentile(values, 100)).to.equal(10);
    expect(percentile(values, 1)).to.equal(1);
    expect(median([3, 1, 2])).to.equal(2);
    expect(median([4, 1, 3, 2])).to.equal(2); // the lower middle: a latency some request really had
  });

  it('p99 of 1000 requests is the 990th, so the 10 slowest do not decide it', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(percentile(values, 99)).to.equal(990);
    expect(percentile([...values, 1e6], 99)).to.equal(991);
  });

  it('does not reorder its input, gives NaN for no values and refuses a p outside (0, 100]', () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).to.deep.equal([3, 1, 2]);
    expect(percentile([], 50)).to.be.NaN;
    expect(() => percentile(values, 0)).to.throw(RangeError);
    expect(() => percentile(values, 101)).to.throw(RangeError);
  });

  it('summarize gives count, mean, p50 and p99', () => {
    expect(summarize([1, 2, 3, 4, 10])).to.deep.equal({ count: 5, mean: 4, p50: 3, p99: 10 });
    expect(summarize([]).count).to.equal(0);
  });
});
