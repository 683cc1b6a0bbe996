import { expect } from 'chai';
import { refusalOf } from '../../support/refusal';
import type { ValidityConfig } from '../../../sidecar/src/config/config';
import { computeExpiry } from '../../../sidecar/src/token/validity';

const now = 1_900_000_000;
const v = (over: Partial<ValidityConfig> = {}): ValidityConfig => ({
  defaultSeconds: 3600,
  maxSeconds: 86400,
  allowUnlimited: false,
  byRequest: false,
  notBeforeSkewSeconds: 30,
  ...over,
});


function reasonOf(fn: () => unknown): string {
  const refusal = refusalOf(fn);
  expect(refusal.kind).to.equal('bad_input');
  return refusal.reason;
}

describe('token/validity: computeExpiry', () => {
  it('defaults to now + DEFAULT_VALIDITY', () => expect(computeExpiry(v({ defaultSeconds: 600 }), undefined, now)).to.equal(now + 600));
  it('ignores a requested exp unless ENABLE_VALIDITY_BY_REQUEST', () => expect(computeExpiry(v(), now + 60, now)).to.equal(now + 3600));
  it('ignores even an invalid requested exp when not enabled', () => expect(computeExpiry(v(), now - 60, now)).to.equal(now + 3600));
  it('honours a requested exp when enabled', () => expect(computeExpiry(v({ byRequest: true }), now + 60, now)).to.equal(now + 60));
  it('the default applies when enabled but nothing was requested', () => expect(computeExpiry(v({ byRequest: true }), undefined, now)).to.equal(now + 3600));
  it('a requested exp of exactly now + MAX_VALIDITY is allowed', () =>
    expect(computeExpiry(v({ byRequest: true }), now + 86400, now)).to.equal(now + 86400));
  it('refuses a requested exp in the past', () => expect(reasonOf(() => computeExpiry(v({ byRequest: true }), now - 1, now))).to.equal('validity_in_past'));
  it('refuses a requested exp equal to now', () => expect(reasonOf(() => computeExpiry(v({ byRequest: true }), now, now))).to.equal('validity_in_past'));
  it('refuses 0 (the reference\'s "unlimited")', () => expect(reasonOf(() => computeExpiry(v({ byRequest: true }), 0, now))).to.equal('validity_in_past'));
  it('refuses a requested exp beyond the cap', () =>
    expect(reasonOf(() => computeExpiry(v({ byRequest: true }), now + 86401, now))).to.equal('validity_beyond_cap'));
  it('refuses a fractional or non-finite exp', () => {
    expect(reasonOf(() => computeExpiry(v({ byRequest: true }), now + 0.5, now))).to.equal('validity_invalid');
    expect(reasonOf(() => computeExpiry(v({ byRequest: true }), Number.NaN, now))).to.equal('validity_invalid');
  });
  it('no exp only with DEFAULT_VALIDITY=0 and ALLOW_UNLIMITED_TOKENS', () => {
    expect(computeExpiry(v({ defaultSeconds: 0, allowUnlimited: true }), undefined, now)).to.equal(undefined);
    expect(computeExpiry(v({ defaultSeconds: 0, allowUnlimited: false }), undefined, now)).to.equal(now);
    expect(computeExpiry(v({ defaultSeconds: 60, allowUnlimited: true }), undefined, now)).to.equal(now + 60);
  });
});
