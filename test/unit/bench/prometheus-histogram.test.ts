import { expect } from 'chai';
import { histogramDelta, histogramQuantile, readHistogram } from '../../../bench/chain/prometheus-histogram';

const M = 'saml2jwt_http_request_duration_seconds';
const exposition = (n: number) => `# HELP ${M} HTTP request latency, by route
# TYPE ${M} histogram
${M}_bucket{le="0.001",route="redirectWithToken"} ${2 * n}
${M}_bucket{le="0.002",route="redirectWithToken"} ${6 * n}
${M}_bucket{le="0.004",route="redirectWithToken"} ${10 * n}
${M}_bucket{le="+Inf",route="redirectWithToken"} ${10 * n}
${M}_sum{route="redirectWithToken"} ${0.02 * n}
${M}_count{route="redirectWithToken"} ${10 * n}
${M}_bucket{le="0.001",route="getToken"} 99
${M}_bucket{le="+Inf",route="getToken"} 99
${M}_sum{route="getToken"} 0.05
${M}_count{route="getToken"} 99
saml2jwt_tokens_issued_total{endpoint="redirectWithToken"} 7
`;

describe('bench/chain/prometheus-histogram: the sidecar latency histogram of /metrics', () => {
  it('reads one route of the histogram: cumulative buckets in order, +Inf last, sum and count', () => {
    const h = readHistogram(exposition(1), M, { route: 'redirectWithToken' });
    expect(h.buckets).to.deep.equal([
      { le: 0.001, count: 2 },
      { le: 0.002, count: 6 },
      { le: 0.004, count: 10 },
      { le: Infinity, count: 10 },
    ]);
    expect(h.sum).to.equal(0.02);
    expect(h.count).to.equal(10);
    expect(readHistogram(exposition(1), M, { route: 'nope' }).count).to.equal(0);
  });

  it('subtracts an earlier reading, so a turn sees only its own requests', () => {
    const d = histogramDelta(readHistogram(exposition(3), M, { route: 'redirectWithToken' }), readHistogram(exposition(1), M, { route: 'redirectWithToken' }));
    expect(d.buckets.map((b) => b.count)).to.deep.equal([4, 12, 20, 20]);
    expect(d.count).to.equal(20);
    expect(d.sum).to.be.closeTo(0.04, 1e-12);
  });

  it('estimates quantiles as Prometheus histogram_quantile does: linear within the bucket that holds the rank', () => {
    const h = readHistogram(exposition(1), M, { route: 'redirectWithToken' });
    expect(histogramQuantile(h, 0.1)).to.be.closeTo(0.0005, 1e-12); // rank 1 of 2 in [0, 1 ms]
    expect(histogramQuantile(h, 0.5)).to.be.closeTo(0.00175, 1e-12); // rank 5: 3 of 4 into (1, 2 ms]
    expect(histogramQuantile(h, 0.99)).to.be.closeTo(0.002 + 0.002 * (3.9 / 4), 1e-12);
    expect(histogramQuantile(readHistogram('', M, {}), 0.5)).to.be.NaN;
  });

  it('in the +Inf bucket, answers the highest finite bound', () => {
    const h = { buckets: [{ le: 0.001, count: 1 }, { le: Infinity, count: 10 }], sum: 1, count: 10 };
    expect(histogramQuantile(h, 0.99)).to.equal(0.001);
  });
});
