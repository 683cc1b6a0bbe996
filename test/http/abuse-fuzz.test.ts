// Quick property-based fuzz of the front and backend surfaces (~1,000 generated requests; the
// reliability tier runs the same campaign with >= 10,000). Fixed seed; FUZZ_SEED overrides it.
import { expect } from 'chai';
import { fuzzSeed, runCampaign } from '../support/fuzz/campaign';
import { startSites, stopSites, type Site } from '../support/fuzz/sites';

describe('http: abuse fuzz (quick, ~1,000 requests)', function () {
  this.timeout(120_000);
  let sites: Site[];
  before(async () => {
    sites = await startSites();
  });
  after(() => stopSites(sites));

  it('no 5xx, no token unless trusted and valid, tokens only for the asked room, no open redirect, no raw reflection', async () => {
    const seed = fuzzSeed();
    console.log(`      fuzz seed ${seed} (set FUZZ_SEED to change it)`);
    const stats = await runCampaign(sites, { front: 600, backend: 200, validate: 100, raw: 100 }, seed);
    console.log(`      ${stats.requests} requests in ${stats.seconds.toFixed(1)} s: ${stats.tokensIssued} tokens issued, ${stats.refusals} refusals`);
    expect(stats.requests).to.be.at.least(1000);
    expect(stats.tokensWronglyIssued).to.equal(0);
    expect(stats.status5xx).to.equal(0);
    // The campaign must exercise both sides of the trust decision, or it proves nothing.
    expect(stats.tokensIssued).to.be.above(100);
    expect(stats.refusals).to.be.above(100);
    // Every client's way of getting its token was exercised, and refusals in the popup too.
    console.log(`      deliveries ${JSON.stringify(stats.deliveries)}, ${stats.popupRefusals} popup refusals`);
    for (const [delivery, count] of Object.entries(stats.deliveries)) expect(count, delivery).to.be.at.least(3);
    expect(stats.popupRefusals).to.be.above(20);
  });
});
