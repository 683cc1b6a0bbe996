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

  it('keeps the patterns operators write: anchors, classes, optional groups, bounded repeats', () => {
    for (const fine of ['.*@uni\\.example', 'student@(.+\\.)?uni\\.example', 'urn:mace:(staff|faculty)', '[a-z]+@.*', 'x{1,3}(?:ab)+', '(?=urn:)urn:.*']) {
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
