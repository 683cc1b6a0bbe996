// A bounded soak of the built sidecar (child process) on /redirectWithToken: SOAK_SECONDS (60)
// at SOAK_RATE (600) requests per second, 90 % that must get a token and 10 % that must be
// refused (a `*` room, or no proxy secret). Zero unexpected answers or socket errors, p99
// latency, and RSS (VmRSS of the child) that stops growing after the warm-up.
import { expect } from 'chai';
import { TEST_PROXY_SECRET } from '../support/config-fixture';
import { spawnBuiltSidecar, type ChildSidecar } from './child-sidecar';
import { startLoad, statusCounts } from './load';
import { recordResult } from './results';

const SECONDS = Math.max(10, Math.min(600, Number(process.env.SOAK_SECONDS ?? 60) || 60));
const RATE = Math.max(50, Number(process.env.SOAK_RATE ?? 600) || 600);
const WARMUP_SECONDS = Math.min(10, Math.floor(SECONDS / 6));

describe(`reliability: soak (${SECONDS} s at ${RATE} req/s, 90 % valid / 10 % refused)`, function () {
  this.timeout((SECONDS + 60) * 1000);
  let child: ChildSidecar | undefined;
  after(() => child?.kill());

  it('answers every request as expected, keeps p99 low, and RSS flat after warm-up', async () => {
    child = await spawnBuiltSidecar({ FRONT_RATE_LIMIT: '0' }); // one user at 600 req/s: about the load, not the limit
    const c = child;
    const identity = { 'x-saml2jwt-proxy-secret': TEST_PROXY_SECRET, mail: 'soak@uni.example', displayname: 'Soak Test' };
    const rssStart = c.rssKb();
    const rss: { t: number; kb: number }[] = [];
    const startedAt = Date.now();
    const sampler = setInterval(() => rss.push({ t: (Date.now() - startedAt) / 1000, kb: c.rssKb() }), 1000);

    const valid = startLoad({
      url: `http://127.0.0.1:${c.front}`,
      requests: [{ method: 'GET', path: '/redirectWithToken?room=soak&tenant=acme', headers: identity }, { method: 'GET', path: '/saml2jwt/redirectWithToken?room=Weekly%20Sync', headers: identity }],
      connections: 8,
      overallRate: Math.round(RATE * 0.9),
      duration: SECONDS,
      timeout: 10,
    });
    const refused = startLoad({
      url: `http://127.0.0.1:${c.front}`,
      requests: [{ method: 'GET', path: '/redirectWithToken?room=*', headers: identity }, { method: 'GET', path: '/redirectWithToken?room=soak', headers: { mail: 'intruder@uni.example' } }],
      connections: 2,
      overallRate: Math.round(RATE * 0.1),
      duration: SECONDS,
      timeout: 10,
    });
    let good, bad;
    try {
      [good, bad] = await Promise.all([valid.done, refused.done]);
    } finally {
      clearInterval(sampler);
    }
    const rssEnd = c.rssKb();
    c.proc.kill('SIGTERM');
    const exit = await c.exited; // the audit lines are flushed on the way out

    const goodStatus = statusCounts(good);
    const badStatus = statusCounts(bad);
    const baseline = rss.find((s) => s.t >= WARMUP_SECONDS) ?? (rss[0] as { kb: number });
    const growth = (rssEnd - baseline.kb) / baseline.kb;
    const total = good.requests.total + bad.requests.total;
    const rate = total / good.duration;
    const unexpected = Object.entries(goodStatus).filter(([s]) => s !== '302').reduce((n, [, k]) => n + k, 0) + Object.entries(badStatus).filter(([s]) => s !== '400' && s !== '401').reduce((n, [, k]) => n + k, 0);
    const socketErrors = good.errors + bad.errors;
    const figures = {
      seconds: SECONDS,
      targetRate: RATE,
      requests: total,
      rate: Math.round(rate),
      valid: goodStatus,
      refused: badStatus,
      unexpected,
      socketErrors,
      timeouts: good.timeouts + bad.timeouts,
      errorCodes: { ...valid.errorCodes, ...refused.errorCodes },
      p50ms: good.latency.p50,
      p99ms: Math.max(good.latency.p99, bad.latency.p99),
      maxMs: Math.max(good.latency.max, bad.latency.max),
      rssStartMb: +(rssStart / 1024).toFixed(1),
      rssBaselineMb: +(baseline.kb / 1024).toFixed(1),
      rssEndMb: +(rssEnd / 1024).toFixed(1),
      rssGrowthPct: +(growth * 100).toFixed(1),
      tokensIssued: c.counts.token_issued ?? 0,
      refusalLines: c.counts.token_refused ?? 0,
      refusalsSummarised: c.counts.token_refused_summarised ?? 0,
      exitCode: exit.code,
    };
    recordResult('soak', figures);
    console.log(`      ${JSON.stringify(figures)}`);

    expect(unexpected, 'unexpected statuses').to.equal(0);
    expect(socketErrors, `socket errors ${JSON.stringify(figures.errorCodes)}`).to.equal(0);
    expect(figures.timeouts).to.equal(0);
    expect(rate, 'achieved requests per second').to.be.at.least(RATE * 0.9);
    expect(figures.p99ms, 'p99 latency (ms)').to.be.below(250);
    expect(growth, 'RSS growth after warm-up').to.be.at.most(0.1);
    // Every token issued reached its client, but for those in flight when autocannon stopped (at most one per connection).
    expect(figures.tokensIssued - (goodStatus['302'] ?? 0), 'audit lines - tokens received').to.be.within(0, 8);
    // Every refusal is in the audit trail: on a line of its own, or counted in a flood's summary.
    const refusalsAudited = (c.counts.token_refused ?? 0) + (c.counts.token_refused_summarised ?? 0);
    expect(refusalsAudited - ((badStatus['400'] ?? 0) + (badStatus['401'] ?? 0)), 'refusals audited - refusals received').to.be.within(0, 8);
    expect(c.counts.token_refused_summarised ?? 0, 'the 10 % refused is a flood from one address: summarised').to.be.above(0);
    expect(badStatus['400'] ?? 0).to.be.above(0);
    expect(badStatus['401'] ?? 0).to.be.above(0);
    expect(exit.code).to.equal(0);
    expect(c.problems).to.deep.equal([]);
  });
});
