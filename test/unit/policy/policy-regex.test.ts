// Operator regexes against IdP-supplied values: no pattern that can backtrack for long is
// loaded, and no long value is matched (the request is refused instead, fail closed).
import { expect } from 'chai';
import { parsePolicy, PolicyError } from '../../../sidecar/src/policy/load';
import { MAX_MATCHED_LENGTH, unsafeRegexReason } from '../../../sidecar/src/policy/policy-regex';
import type { Identity } from '../../../sidecar/src/identity/identity';
import { Refusal } from '../../../sidecar/src/refusal';

const policyWith = (regex: string): string => `
rules:
  - name: suspended
    match:
      - { idp: "https://idp.uni.example" }
      - { attribute: entitlement, regex: '${regex}' }
    allow: false
    reason: suspended
`;

const identity = (entitlement: string): Identity => ({
  userId: 'u@uni.example',
  mail: 'u@uni.example',
  name: 'U',
  attributes: { mail: ['u@uni.example'], entitlement: [entitlement] },
  idp: 'https://idp.uni.example',
});

describe('policy: regexes that cannot run away', () => {
  it('refuses at load nested quantifiers, quantified alternations and backreferences, naming the rule', () => {
    for (const catastrophic of ['(a+)+$', '(a*)*b', '(a|aa)+', '(?:x+y?)*', '(a)\\1', '(?<n>a)\\k<n>', '(a{1,3}){2,9}']) {
      expect(() => parsePolicy(policyWith(catastrophic), 'policy.yml'), catastrophic)
        .to.throw(PolicyError, /rules\[0\]\.match\[1\]\.regex: pattern could run for too long/);
    }
  });

  it('refuses more than two unbounded quantifiers (polynomial backtracking), and says why', () => {
    expect(() => parsePolicy(policyWith('.*a.*a.*b'), 'policy.yml')).to.throw(PolicyError, /at most 2 unbounded quantifiers/);
  });

  it('refuses long runs of choices that each accept the same text (optional alternations, optional or bounded repeats, overlapping alternatives)', () => {
    // The first is the security review's: on the old guard it loaded, and a 24-character value took
    // 3^24 tries (16 groups already took 1.2 s; each more group multiplies by 3).
    const runs = [
      `^${'(?:a|a)?'.repeat(24)}b$`,
      `${'a?'.repeat(30)}b`,
      `${'a{0,16}'.repeat(8)}b`,
      `${'(?:a|a)'.repeat(30)}b`,
      `${'(?:ab|a)'.repeat(30)}b`,
      `${'(?i:a|A)?'.repeat(24)}b`, // distinct letters, but the same under (?i:)
      `.*@.*${'(?:x|x)'.repeat(3)}`,
    ];
    for (const run of runs) {
      expect(() => parsePolicy(policyWith(run), 'policy.yml'), run)
        .to.throw(PolicyError, /rules\[0\]\.match\[1\]\.regex: pattern could run for too long: optional parts \(\?\), alternatives \(\|\) and repeats multiply the ways a value can be tried: [\d.e+]+ here, at most 262144/);
    }
  });

  it('counts each way of walking a pattern: alternatives add unless they start with different characters, a sequence multiplies', () => {
    // Just under and just over the limit, so the count itself is what is checked.
    expect(unsafeRegexReason(`${'(?:a|a)?'.repeat(11)}b`)).to.equal(undefined); // 3^11
    expect(unsafeRegexReason(`${'(?:a|a)?'.repeat(12)}b`)).to.match(/531441 here/); // 3^12
    expect(unsafeRegexReason(`${'a?'.repeat(18)}b`)).to.equal(undefined); // 2^18
    expect(unsafeRegexReason(`${'a?'.repeat(19)}b`)).to.match(/524288 here/);
    expect(unsafeRegexReason(`${'(?:x|y)?'.repeat(19)}`)).to.match(/524288 here/); // x|y: one way, then `?`: two
    expect(unsafeRegexReason(`${'a{0,16}'.repeat(5)}`)).to.match(/1419857 here/); // 17^5
    expect(unsafeRegexReason(`.*@.*${'(?:x|x)'.repeat(2)}`)).to.match(/264196 here/); // 257 * 257 * 2 * 2
    expect(unsafeRegexReason(`.*@.*${'(?:xa|yb|zc)'.repeat(9)}`)).to.equal(undefined); // each starts differently
    // Under (?i:) letters are not told apart (case folding has exceptions such as U+212A): 3^12.
    expect(unsafeRegexReason(`(?i:${'(?:x|y)?'.repeat(12)})`)).to.match(/531441 here/);
    expect(unsafeRegexReason(`(?i:${'(?-i:x|X)?'.repeat(17)})`)).to.equal(undefined); // 2^17
    expect(unsafeRegexReason(`${'\\u{61}{0,16}'.repeat(4)}`)).to.equal(undefined); // the braces of \u{…} repeat nothing
  });

  it('keeps the patterns operators write: anchors, classes, optional groups, bounded repeats, lists of names', () => {
    const names = ['.*@uni\\.example', 'student@(.+\\.)?uni\\.example', 'urn:mace:(staff|faculty)', '[a-z]+@.*', 'x{1,3}(?:ab)+', '(?=urn:)urn:.*'];
    const lists = ['^.+@(staff|faculty|employee)\\..+$', '.*@.*\\.(de|at|ch|fr|it)', '(?:urn:mace:dir:entitlement:)?(?:lib|lms|mail)-(?:user|admin)', '\\p{L}{2,16}-\\d{1,6}'];
    for (const fine of [...names, ...lists]) {
      expect(unsafeRegexReason(fine), fine).to.equal(undefined);
      expect(() => parsePolicy(policyWith(fine), 'policy.yml'), fine).not.to.throw();
    }
  });

  it('refuses (403) rather than matches a value longer than the cap, and matches one at the cap', () => {
    const policy = parsePolicy(policyWith('.*:suspended'), 'policy.yml');
    expect(policy.decide(identity(`${'x'.repeat(MAX_MATCHED_LENGTH - 10)}:suspended`), undefined).allowed).to.equal(false);
    expect(policy.decide(identity('x'.repeat(MAX_MATCHED_LENGTH)), undefined).allowed).to.equal(true);
    let refusal: unknown;
    try {
      policy.decide(identity(`${'x'.repeat(8000)}:suspended`), undefined);
    } catch (err) {
      refusal = err;
    }
    expect(refusal).to.be.instanceOf(Refusal);
    expect((refusal as Refusal).reason).to.equal('attribute_too_long');
  });
});
