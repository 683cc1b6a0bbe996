// Regression tests for the sidecar bugs the fuzz campaign found (described in FOUND-BUGS.md, now
// fixed); the main campaign generates these inputs too.
import { expect } from 'chai';
import fc from 'fast-check';
import { containsToken, get, spHeaders, startTestSidecar, wholeResponse, type TestSidecar } from '../support/test-sidecar';
import { loneSurrogateStateText } from '../support/fuzz/arbitraries';
import { DEFAULT_SEED } from '../support/fuzz/campaign';

describe('reliability: bugs the fuzzing found stay fixed (FOUND-BUGS.md)', () => {
  let t: TestSidecar;
  before(async () => {
    t = await startTestSidecar({ LOG_LEVEL: 'warn' });
  });
  after(() => t.stop());

  it('BUG-1: a lone surrogate in the state room or tenant is refused with 400, not a 500', async () => {
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(loneSurrogateStateText, async (state) => {
        const res = await get(`${t.front}/redirectWithToken?state=${encodeURIComponent(state)}`, spHeaders());
        const whole = await wholeResponse(res);
        statuses.add(res.status);
        expect(containsToken(whole), 'token in the answer').to.equal(false);
        expect(res.status, `state ${JSON.stringify(state)}`).to.equal(400);
      }),
      { numRuns: 50, seed: DEFAULT_SEED },
    );
    expect([...statuses]).to.deep.equal([400]);
  });

  it('BUG-2: parameters after the 1000th are not silently dropped (a late duplicate room or past validity is refused)', async () => {
    const filler = Array.from({ length: 1000 }, (_, i) => `f${i}=`).join('&');
    const past = Math.floor(Date.now() / 1000) - 60;
    for (const late of ['room=b', `validity_timestamp=${past}`, 'x=%00']) {
      const res = await get(`${t.front}/redirectWithToken?room=a&${filler}&${late}`, spHeaders());
      const whole = await wholeResponse(res);
      expect(res.status, `late ${late}`).to.equal(400);
      expect(containsToken(whole), `token although "${late}" came late`).to.equal(false);
    }
  });
});
