import { expect } from 'chai';
import { scheduleKeys } from '../../../../sidecar/src/token/keys/key-schedule';

const timing = { activationDelaySeconds: 300, maxValiditySeconds: 3600 };
const states = (keys: { kid: string; publishedAt: number }[], now: number): Record<string, string> => {
  const s = scheduleKeys(keys, now, timing);
  return { signing: s.signingKid, ...Object.fromEntries(s.states) };
};

describe('token/keys/key-schedule: which key signs, is published, is retired', () => {
  it('the only key signs at once, even the moment it is made', () => {
    expect(states([{ kid: 'a', publishedAt: 1000 }], 1000)).to.deep.equal({ signing: 'a', a: 'signing' });
  });

  it('a new key is published but does not sign before the activation delay has passed', () => {
    const keys = [{ kid: 'old', publishedAt: 0 }, { kid: 'new', publishedAt: 10_000 }];
    expect(states(keys, 10_000 + 299)).to.deep.equal({ signing: 'old', old: 'signing', new: 'published' });
    expect(states(keys, 10_000 + 300)).to.deep.equal({ signing: 'new', old: 'published', new: 'signing' });
  });

  it('the replaced key stays published for MAX_VALIDITY plus the overlap after it stopped signing, then retires', () => {
    const keys = [{ kid: 'old', publishedAt: 0 }, { kid: 'new', publishedAt: 10_000 }];
    const replacedAt = 10_000 + 300;
    expect(states(keys, replacedAt + 3600 + 300 - 1).old).to.equal('published');
    expect(states(keys, replacedAt + 3600 + 300).old).to.equal('retired');
  });

  it('age alone never retires the key that signs', () => {
    expect(states([{ kid: 'a', publishedAt: 0 }], 10 * 365 * 86400).a).to.equal('signing');
  });

  it('with no key old enough yet (two fresh keys), the oldest signs and none retires', () => {
    const keys = [{ kid: 'first', publishedAt: 100 }, { kid: 'second', publishedAt: 150 }];
    expect(states(keys, 200)).to.deep.equal({ signing: 'first', first: 'signing', second: 'published' });
  });

  it('three keys: the middle one retires counting from the moment the newest took over', () => {
    const keys = [{ kid: 'k1', publishedAt: 0 }, { kid: 'k2', publishedAt: 1000 }, { kid: 'k3', publishedAt: 5000 }];
    const now = 5300 + 3900; // k3 active since 5300; k2 replaced then; k1 replaced at 1300
    expect(states(keys, now)).to.deep.equal({ signing: 'k3', k1: 'retired', k2: 'retired', k3: 'signing' });
    expect(states(keys, now - 1)).to.deep.equal({ signing: 'k3', k1: 'retired', k2: 'published', k3: 'signing' });
  });

  it('refuses an empty list', () => expect(() => scheduleKeys([], 0, timing)).to.throw(/no key/));
});
