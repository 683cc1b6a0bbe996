import { expect } from 'chai';
import { scheduleKeys } from '../../../../sidecar/src/token/keys/key-schedule';

const timing = { activationDelaySeconds: 300, maxValiditySeconds: 3600 };
const states = (keys: { kid: string; publishedAt: number; revokedAt?: number }[], now: number): Record<string, string | undefined> => {
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

  it('a revoked key has no state; its revocation ends the delay of every key published by then: the newest signs at once', () => {
    const keys = [{ kid: 'old', publishedAt: 0 }, { kid: 'x', publishedAt: 5000 }, { kid: 'b', publishedAt: 10_000 }];
    expect(states(keys, 10_100)).to.deep.equal({ signing: 'x', old: 'retired', x: 'signing', b: 'published' });
    const revoked = [keys[0], { ...keys[1], revokedAt: 10_100 }, keys[2]] as typeof keys;
    expect(states(revoked, 10_099)).to.deep.equal({ signing: 'x', old: 'retired', x: 'signing', b: 'published' });
    expect(states(revoked, 10_100)).to.deep.equal({ signing: 'b', old: 'retired', b: 'signing' });
    // a key added after the revocation waits its full delay
    const later = [...revoked, { kid: 'c', publishedAt: 20_000 }];
    expect(states(later, 20_299).signing).to.equal('b');
    expect(states(later, 20_300)).to.deep.equal({ signing: 'c', old: 'retired', b: 'published', c: 'signing' });
  });

  it('the key a revoked one replaced signs again when it is the newest left, and retires counting from when it stopped the second time', () => {
    const keys = [{ kid: 'o', publishedAt: 0 }, { kid: 'n', publishedAt: 1000, revokedAt: 2000 }, { kid: 'm', publishedAt: 3000 }];
    expect(states(keys.slice(0, 2), 1999)).to.deep.equal({ signing: 'n', o: 'published', n: 'signing' });
    expect(states(keys.slice(0, 2), 2000)).to.deep.equal({ signing: 'o', o: 'signing' });
    // m takes over at 3300: o is replaced then, not at 1300 when n had taken over
    expect(states(keys, 3300 + 3900 - 1)).to.deep.equal({ signing: 'm', o: 'published', m: 'signing' });
    expect(states(keys, 3300 + 3900)).to.deep.equal({ signing: 'm', o: 'retired', m: 'signing' });
  });

  it('a retired key never signs again: with only retired keys left, none signs', () => {
    const keys = [{ kid: 'o', publishedAt: 0 }, { kid: 'n', publishedAt: 1000, revokedAt: 20_000 }];
    expect(states(keys, 19_999)).to.deep.equal({ signing: 'n', o: 'retired', n: 'signing' });
    expect(states(keys, 20_000)).to.deep.equal({ signing: undefined, o: 'retired' });
    // a new key then signs at once (it is the only candidate, and has waited for nobody)
    expect(states([...keys, { kid: 'k', publishedAt: 20_010 }], 20_010)).to.deep.equal({ signing: 'k', o: 'retired', k: 'signing' });
  });

  it('a key revoked before it ever signed replaced nobody', () => {
    const keys = [{ kid: 'a', publishedAt: 0 }, { kid: 'early', publishedAt: 1000, revokedAt: 1100 }];
    expect(states(keys, 100_000)).to.deep.equal({ signing: 'a', a: 'signing' });
  });

  it('refuses an empty list, or one of revoked keys only', () => {
    expect(() => scheduleKeys([], 0, timing)).to.throw(/no key/);
    expect(() => scheduleKeys([{ kid: 'a', publishedAt: 0, revokedAt: 5 }], 10, timing)).to.throw(/no key/);
  });
});
