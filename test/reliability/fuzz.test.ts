// The full fuzz campaign (>= 10,000 generated requests) of the front and backend surfaces.
// Fixed seed by default (printed); FUZZ_SEED=<n> explores elsewhere, FUZZ_SCALE=<k> multiplies the budget.
import { expect } from 'chai';
import { fuzzSeed, runCampaign } from '../support/fuzz/campaign';
import { startSites, stopSites, type Site } from '../support/fuzz/sites';
import { recordResult } from './results';

const scale = Math.max(1, Math.min(20, Number(process.env.FUZZ_SCALE ?? 1) || 1));

describe('reliability: fuzz campaign (>= 10,000 requests)', function () {
  this.timeout(600_000);
  let sites: Site[];
  before(async () => {
    sites = await startSites();
  });
  after(() => stopSites(sites));

  it('holds every invariant on every response', async () => {
    const seed = fuzzSeed();
    console.log(`      fuzz seed ${seed} (set FUZZ_SEED to change it)`);
    const budget = { front: 6000 * scale, backend: 2000 * scale, validate: 1000 * scale, raw: 1000 * scale };
    let stats;
    try {
      stats = await runCampaign(sites, budget, seed);
    } finally {
      recordResult('fuzz', stats ?? { seed, failed: true });
    }
    console.log(`      ${stats.requests} requests in ${stats.seconds.toFixed(1)} s (${JSON.stringify(stats.perSurface)}): ${stats.tokensIssued} tokens issued, ${stats.refusals} refusals`);
    expect(stats.requests).to.be.at.least(10_000);
    expect(stats.tokensWronglyIssued).to.equal(0);
    expect(stats.status5xx).to.equal(0);
    expect(stats.violations).to.equal(0);
    expect(stats.tokensIssued).to.be.above(1000);
    expect(stats.refusals).to.be.above(1000);
  });
});
