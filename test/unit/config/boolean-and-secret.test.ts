// One boolean rule and one secret-strength rule, used by the sidecar, setup and doctor.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { parseBoolean } from '../../../sidecar/src/config/boolean';
import { secretProblem } from '../../../sidecar/src/config/secret-strength';
import { isStrongSecret } from '../../../scripts/setup-plan';
import { testConfig } from '../../support/config-fixture';

describe('config/boolean: parseBoolean', () => {
  it('reads true/false, 1/0, yes/no and on/off in any case; anything else is undefined', () => {
    for (const t of ['true', 'TRUE', '1', 'yes', 'On']) expect(parseBoolean(t), t).to.equal(true);
    for (const f of ['false', 'False', '0', 'no', 'OFF']) expect(parseBoolean(f), f).to.equal(false);
    for (const x of ['', 'maybe', '2', 'y', 'enabled']) expect(parseBoolean(x), x).to.equal(undefined);
  });

  it('is the sidecar’s rule: on is accepted, a non-boolean named with every spelling', () => {
    expect(testConfig({ ENABLE_VALIDITY_BY_REQUEST: 'on' }).validity.byRequest).to.equal(true);
    expect(() => testConfig({ ENABLE_VALIDITY_BY_REQUEST: 'maybe' })).to.throw(/ENABLE_VALIDITY_BY_REQUEST: must be true or false \(also 1\/0, yes\/no, on\/off\)/);
  });
});

describe('config/secret-strength: secretProblem', () => {
  it('accepts 32+ random characters', () => {
    expect(secretProblem(randomBytes(32).toString('hex'))).to.equal(undefined);
  });

  it('refuses short, placeholder (any my_jitsi_*) and low-variety secrets', () => {
    expect(secretProblem('f3A9c2')).to.match(/at least 32 characters/);
    expect(secretProblem('my_jitsi_app_secret')).to.match(/placeholder/);
    expect(secretProblem(`my_jitsi_${randomBytes(24).toString('hex')}`)).to.match(/placeholder/);
    expect(secretProblem('ab'.repeat(20))).to.match(/too few distinct/);
  });

  it('is setup’s rule for keeping a secret', () => {
    for (const s of ['my_jitsi_app_secret', 'ab'.repeat(20), randomBytes(32).toString('hex')]) {
      expect(isStrongSecret(s), s).to.equal(secretProblem(s) === undefined);
    }
  });
});
