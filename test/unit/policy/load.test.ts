import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Identity } from '../../../sidecar/src/identity/identity';
import { loadPolicy, parsePolicy, PolicyError } from '../../../sidecar/src/policy/load';

const EXAMPLE = path.resolve(__dirname, '../../../compose-overlay/policy/policy.example.yml');

function person(attributes: Identity['attributes'], idp?: string): Identity {
  const mail = attributes.mail?.[0] ?? 'someone@uni.example';
  const id: Identity = { userId: mail, mail, name: mail, attributes: { mail: [mail], ...attributes } };
  if (idp !== undefined) id.idp = idp;
  return id;
}

function errorOf(yaml: string): string {
  try {
    parsePolicy(yaml, 'p.yml');
  } catch (err) {
    expect(err).to.be.instanceOf(PolicyError);
    return (err as Error).message;
  }
  return expect.fail('parsePolicy accepted an invalid policy');
}

describe('policy/load: default policy', () => {
  it('without a file everyone signed in is a member with recording on, livestreaming off, with or without a mail', () => {
    const pseudonymous: Identity = { userId: 'pw1@uni.example', name: 'Guest 1a2b3c', attributes: { 'pairwise-id': ['pw1@uni.example'] } };
    expect(loadPolicy(undefined).decide(pseudonymous, undefined)).to.deep.equal({ allowed: true, features: { recording: true, livestreaming: false } });
    const d = loadPolicy(undefined).decide(person({}), 'acme');
    expect(d).to.deep.equal({ allowed: true, features: { recording: true, livestreaming: false } });
  });

  it('an empty file behaves like the default policy', () => {
    expect(parsePolicy('', 'empty.yml').decide(person({}), undefined)).to.deep.equal({
      allowed: true,
      features: { recording: true, livestreaming: false },
    });
  });

  it('each decision gets its own features object', () => {
    const policy = loadPolicy(undefined);
    const a = policy.decide(person({}), undefined);
    a.features.recording = false;
    expect(policy.decide(person({}), undefined).features.recording).to.equal(true);
  });
});

describe('policy/load: the example policy', () => {
  const policy = loadPolicy(EXAMPLE);

  it('staff become owner + moderator, skip the lobby, with livestreaming', () => {
    expect(policy.decide(person({ affiliation: ['member@uni.example', 'staff@uni.example'] }), undefined)).to.deep.equal({
      allowed: true,
      affiliation: 'owner',
      moderator: true,
      lobbyBypass: true,
      features: { recording: true, livestreaming: true },
    });
  });

  it('the example names moderators and grants lobby_bypass (what setup and doctor look for)', () => {
    expect(policy).to.include({ namesModerators: true, grantsLobbyBypass: true });
  });

  it('students (regex over a sub-domain) are plain members', () => {
    expect(policy.decide(person({ affiliation: ['student@cs.uni.example'] }), undefined)).to.deep.equal({
      allowed: true,
      features: { recording: true, livestreaming: false },
    });
  });

  it('the regex must match the whole value', () => {
    const d = policy.decide(person({ affiliation: ['student@uni.example.evil.com'] }), undefined);
    expect(d.allowed).to.equal(false);
  });

  it('default deny gives the default reason', () => {
    expect(policy.decide(person({ affiliation: ['alum@uni.example'] }), undefined)).to.deep.equal({
      allowed: false,
      reason: 'Only members of the University may start or join meetings here.',
      features: {},
    });
  });

  it('a deny rule refuses with its reason even when an allow rule also applies', () => {
    const d = policy.decide(person({ affiliation: ['staff@uni.example'], entitlement: ['urn:mace:uni.example:suspended'] }, 'https://idp.uni.example/idp/shibboleth'), undefined);
    expect(d).to.deep.equal({ allowed: false, reason: 'Your account is suspended. Please contact the service desk.', features: {} });
  });

  it('believes an unscoped attribute (entitlement) only from the IdP the rule names', () => {
    const fromElsewhere = person({ affiliation: ['staff@uni.example'], entitlement: ['urn:mace:uni.example:suspended'] }, 'https://idp.other.example/idp');
    expect(policy.decide(fromElsewhere, undefined).allowed).to.equal(true);
  });

  it('an idp rule scoped to a tenant applies only in that tenant', () => {
    const guest = person({ mail: ['g@partner.example'] }, 'https://idp.partner.example/idp/shibboleth');
    expect(policy.decide(guest, 'partners')).to.deep.equal({ allowed: true, features: { recording: false, livestreaming: false } });
    expect(policy.decide(guest, 'PARTNERS').allowed, 'tenant compared lower-cased').to.equal(true);
    expect(policy.decide(guest, 'other').allowed).to.equal(false);
    expect(policy.decide(guest, undefined).allowed).to.equal(false);
    const otherIdp = person({ mail: ['g@partner.example'] }, 'https://idp.other.example/idp/shibboleth');
    expect(policy.decide(otherIdp, 'partners').allowed).to.equal(false);
  });
});

describe('policy/load: semantics', () => {
  it('the first rule that sets affiliation wins; features merge in order', () => {
    const policy = parsePolicy(
      `rules:
  - { name: a, match: { attribute: eppn, present: true }, affiliation: moderator, features: { recording: false, transcription: true } }
  - { name: b, affiliation: owner, moderator: false, features: { recording: true, livestreaming: "true" } }
`,
      'p.yml',
    );
    expect(policy.decide(person({ eppn: ['e@uni.example'] }), undefined)).to.deep.equal({
      allowed: true,
      affiliation: 'moderator',
      moderator: false,
      features: { recording: true, livestreaming: 'true', transcription: true },
    });
    expect(policy.decide(person({}), undefined).affiliation).to.equal('owner');
  });

  it('tenant "/" means the root (no tenant); a list of tenants', () => {
    const policy = parsePolicy(
      `default: deny
rules:
  - { name: root, tenant: "/", affiliation: owner }
  - { name: some, tenant: [Acme, beta] }
`,
      'p.yml',
    );
    expect(policy.decide(person({}), undefined)).to.include({ allowed: true, affiliation: 'owner' });
    expect(policy.decide(person({}), '')).to.include({ allowed: true, affiliation: 'owner' });
    expect(policy.decide(person({}), 'acme')).to.deep.equal({ allowed: true, features: { recording: true, livestreaming: false } });
    expect(policy.decide(person({}), 'beta').allowed).to.equal(true);
    expect(policy.decide(person({}), 'gamma').allowed).to.equal(false);
  });

  it('equals / in / regex look at every value of a multi-valued attribute', () => {
    const policy = parsePolicy(
      `default: deny
rules:
  - { name: eq, match: [{ idp: "https://idp.uni.example" }, { attribute: entitlement, equals: "urn:x:meet" }], features: { calendar: true } }
  - { name: in, match: [{ idp: "https://idp.uni.example" }, { attribute: entitlement, in: ["urn:x:a", "urn:x:b"] }], features: { flip: true } }
  - { name: re, match: [{ idp: "https://idp.uni.example" }, { attribute: entitlement, regex: "urn:x:r[0-9]+" }], features: { branding: true } }
`,
      'p.yml',
    );
    const d = policy.decide(person({ entitlement: ['urn:other', 'urn:x:r12', 'urn:x:b', 'urn:x:meet'] }, 'https://idp.uni.example'), undefined);
    expect(d.features).to.include({ calendar: true, flip: true, branding: true });
    expect(policy.decide(person({ entitlement: ['urn:x:meetx', 'urn:x:c', 'urn:x:r'] }, 'https://idp.uni.example'), undefined).allowed).to.equal(false);
  });

  it('matches an OpenID Connect issuer with `issuer:`, which also vouches for unscoped attributes; never a SAML IdP of the same name', () => {
    const ISSUER = 'https://login.uni.example/realms/staff';
    const policy = parsePolicy(`default: deny\nrules:\n  - { name: staff, match: [ { issuer: ${ISSUER} }, { attribute: groups, equals: staff } ], moderator: true }\n`, 'p.yml');
    const oidcUser = (groups: string[]): Identity => ({ ...person({ groups }), issuer: ISSUER });
    expect(policy.decide(oidcUser(['it', 'staff']), undefined)).to.include({ allowed: true, moderator: true });
    expect(policy.decide(oidcUser(['it']), undefined).allowed).to.equal(false);
    expect(policy.decide(person({ groups: ['staff'] }, ISSUER), undefined).allowed, 'a SAML IdP whose entityID is the issuer').to.equal(false);
    expect(errorOf('rules:\n  - { name: a, match: [ { attribute: groups, equals: staff } ] }\n')).to.match(/groups is not scoped/);
    expect(errorOf(`rules:\n  - { name: a, match: [ { issuer: ${ISSUER}, attribute: mail, present: true } ] }\n`)).to.match(/an issuer condition has no other keys/);
  });

  it('refuses at load a condition on an unscoped attribute without an idp condition in the same rule', () => {
    for (const attribute of ['mail', 'displayName', 'entitlement', 'givenName', 'sn']) {
      expect(errorOf(`rules:\n  - { name: a, match: [ { attribute: ${attribute}, present: true } ] }\n`), attribute).to.match(
        new RegExp(`rules\\[0\\]\\.match: ${attribute} is not scoped: any IdP of a federation may assert any value of it, so this rule also needs an \`idp:\` \\(or \`issuer:\`\\) condition`),
      );
    }
    for (const attribute of ['eppn', 'affiliation', 'subject-id', 'pairwise-id', 'persistent-id', 'schacHomeOrganization', 'assurance']) {
      expect(() => parsePolicy(`rules:\n  - { name: a, match: [ { attribute: ${attribute}, present: true } ] }\n`, 'p.yml'), attribute).not.to.throw();
    }
    expect(() => parsePolicy('rules:\n  - { name: a, match: [ { idp: x }, { attribute: mail, regex: ".*@x" } ] }\n', 'p.yml')).not.to.throw();
  });

  it('all conditions of a rule must hold', () => {
    const policy = parsePolicy(
      `default: deny
rules:
  - name: both
    match:
      - { attribute: affiliation, equals: staff@uni.example }
      - { idp: "https://idp.uni.example" }
`,
      'p.yml',
    );
    expect(policy.decide(person({ affiliation: ['staff@uni.example'] }, 'https://idp.uni.example'), undefined).allowed).to.equal(true);
    expect(policy.decide(person({ affiliation: ['staff@uni.example'] }, 'https://idp.other'), undefined).allowed).to.equal(false);
    expect(policy.decide(person({}, 'https://idp.uni.example'), undefined).allowed).to.equal(false);
  });

  it('present: false matches users without the attribute', () => {
    const policy = parsePolicy(`rules:\n  - { name: no eppn, match: { attribute: eppn, present: false }, allow: false, reason: need eppn }\n`, 'p.yml');
    expect(policy.decide(person({}), undefined)).to.include({ allowed: false, reason: 'need eppn' });
    expect(policy.decide(person({ eppn: ['e@x'] }), undefined).allowed).to.equal(true);
  });

  it('a deny rule without a reason uses the default reason', () => {
    const policy = parsePolicy(`rules:\n  - { name: nobody, allow: false }\n`, 'p.yml');
    expect(policy.decide(person({}), undefined).reason).to.match(/not allowed/);
  });
});

describe('policy/load: strict validation with YAML paths', () => {
  it('invalid YAML names the line', () => expect(errorOf('rules:\n  - name: [unclosed\n')).to.match(/^p\.yml: invalid YAML at line \d/));
  it('duplicate keys', () => expect(errorOf('default: allow\ndefault: deny\n')).to.match(/invalid YAML/));
  it('an unknown top-level key', () => expect(errorOf('rule: []\n')).to.match(/^p\.yml: rule: unknown key/));
  it('an unknown rule key', () => expect(errorOf('rules:\n  - { name: a, rank: owner }\n')).to.match(/rules\[0\]\.rank: unknown key/));
  it('default must be allow or deny', () => expect(errorOf('default: yes\n')).to.match(/default: must be allow or deny/));
  it('default_reason needs default: deny', () => expect(errorOf('default_reason: x\n')).to.match(/default_reason:/));
  it('rules must be a list', () => expect(errorOf('rules: { name: a }\n')).to.match(/rules: must be a list/));
  it('a rule needs a name', () => expect(errorOf('rules:\n  - { affiliation: owner }\n')).to.match(/rules\[0\]\.name: must be a non-empty string/));
  it('allow must be a boolean', () => expect(errorOf('rules:\n  - { name: a, allow: "no" }\n')).to.match(/rules\[0\]\.allow: must be true or false/));
  it('moderator must be a boolean', () => expect(errorOf('rules:\n  - { name: a, moderator: 1 }\n')).to.match(/rules\[0\]\.moderator: must be true or false/));
  it('lobby_bypass must be a boolean', () => expect(errorOf('rules:\n  - { name: a, lobby_bypass: yes please }\n')).to.match(/rules\[0\]\.lobby_bypass: must be true or false/));
  it('a deny rule cannot grant lobby_bypass', () =>
    expect(errorOf('rules:\n  - { name: a, allow: false, lobby_bypass: true }\n')).to.match(/rules\[0\]\.lobby_bypass: a deny rule/));
  it('lobby_bypass: true from any applying allow rule wins over false; absent when no rule says', () => {
    const p = parsePolicy('rules:\n  - { name: a, match: { attribute: eppn, present: true }, lobby_bypass: true }\n  - { name: b, lobby_bypass: false }\n', 'test');
    expect(p.decide(person({ eppn: ['a@uni.example'] }), undefined).lobbyBypass).to.equal(true);
    expect(p.decide(person({}), undefined).lobbyBypass).to.equal(false);
    expect(parsePolicy('rules:\n  - { name: a, moderator: true }\n', 'test').decide(person({}), undefined)).to.not.have.property('lobbyBypass');
  });
  it('reason only on deny rules', () => expect(errorOf('rules:\n  - { name: a, reason: x }\n')).to.match(/rules\[0\]\.reason:/));
  it('a deny rule cannot set a role', () =>
    expect(errorOf('rules:\n  - { name: a, allow: false, affiliation: owner }\n')).to.match(/rules\[0\]\.affiliation: a deny rule/));
  it('feature values are what the client accepts: true, false, "true", "false"', () => {
    for (const bad of ['1', '"yes"', '"True"', '[]']) {
      expect(errorOf(`rules:\n  - { name: a, features: { recording: ${bad} } }\n`), bad).to.match(/rules\[0\]\.features\.recording: must be true, false, "true" or "false"/);
    }
    expect(() => parsePolicy('rules:\n  - { name: a, features: { recording: "false", lobby: true } }\n', 'p.yml')).not.to.throw();
  });
  it('defaults.features is checked too', () => expect(errorOf('defaults: { features: [] }\n')).to.match(/defaults\.features: must be a mapping/));
  it('an unknown attribute', () =>
    expect(errorOf('rules:\n  - { name: a, match: [ { attribute: uid, equals: x } ] }\n')).to.match(/rules\[0\]\.match\[0\]\.attribute: unknown attribute "uid"/));
  it('a condition needs exactly one test', () =>
    expect(errorOf('rules:\n  - { name: a, match: [ { attribute: mail, equals: x, regex: y } ] }\n')).to.match(/rules\[0\]\.match\[0\]: needs exactly one/));
  it('an unknown condition key', () =>
    expect(errorOf('rules:\n  - { name: a, match: [ { attribute: mail, contains: x } ] }\n')).to.match(/rules\[0\]\.match\[0\]\.contains: unknown key/));
  it('an idp condition alone', () =>
    expect(errorOf('rules:\n  - { name: a, match: [ { idp: x, attribute: mail } ] }\n')).to.match(/rules\[0\]\.match\[0\]: an idp condition/));
  it('an invalid regex gives the path and the line', () => {
    const message = errorOf('rules:\n  - name: ok\n  - name: bad\n    match:\n      - { attribute: mail, regex: "a(b" }\n');
    expect(message).to.match(/^p\.yml: rules\[1\]\.match\[0\]\.regex: invalid regular expression: .* \(line 5\)$/);
  });
  it('an empty tenant list', () => expect(errorOf('rules:\n  - { name: a, tenant: [] }\n')).to.match(/rules\[0\]\.tenant: must not be empty/));
  it('a non-string tenant in a list', () => expect(errorOf('rules:\n  - { name: a, tenant: [ok, 3] }\n')).to.match(/rules\[0\]\.tenant\[1\]/));
  it('an unreadable file names the path', () => {
    expect(() => loadPolicy('/nonexistent/policy.yml')).to.throw(PolicyError, /\/nonexistent\/policy\.yml: cannot read: ENOENT/);
  });
});

describe('policy/load: require rules (issue 20: users the federation describes)', () => {
  const pseudonymous = (attributes: Identity['attributes'] = {}): Identity => ({ userId: 'pw1@uni.example', name: 'Guest 1a2b3c', attributes: { 'pairwise-id': ['pw1@uni.example'], ...attributes } });
  const MEDIUM = 'https://refeds.org/assurance/IAP/medium';
  const policy = parsePolicy(
    [
      'rules:',
      '  - name: acme needs a mail',
      '    tenant: acme',
      '    require: [mail]',
      '  - name: lab needs medium assurance and a mail',
      '    tenant: lab',
      `    require: [mail, { attribute: assurance, equals: "${MEDIUM}" }]`,
      '  - name: staff record',
      '    match: [{ attribute: affiliation, equals: staff@uni.example }]',
      '    features: { recording: true }',
      '',
    ].join('\n'),
    'p.yml',
  );

  it('refuses a user without a mail where a rule requires it, naming what is missing; elsewhere they get in', () => {
    const d = policy.decide(pseudonymous(), 'acme');
    expect(d.allowed).to.equal(false);
    expect(d.reason).to.equal('Your identity provider did not release what this meeting service requires (mail).');
    expect(policy.decide(pseudonymous(), 'ACME').allowed, 'tenants compared lower-cased').to.equal(false);
    expect(policy.decide(pseudonymous(), undefined).allowed).to.equal(true);
    expect(policy.decide(pseudonymous(), 'beta').allowed).to.equal(true);
    expect(policy.decide(person({}), 'acme').allowed).to.equal(true);
  });

  it('requires an assurance level, tested without naming IdPs', () => {
    expect(policy.decide(person({}), 'lab')).to.include({ allowed: false, reason: 'Your identity provider did not release what this meeting service requires (assurance).' });
    expect(policy.decide(person({ assurance: ['https://refeds.org/assurance/IAP/low'] }), 'lab').allowed).to.equal(false);
    expect(policy.decide(person({ assurance: ['https://refeds.org/assurance/IAP/low', MEDIUM] }), 'lab').allowed).to.equal(true);
    expect(policy.decide(pseudonymous({ assurance: [MEDIUM] }), 'lab').reason).to.match(/\(mail\)/);
    expect(policy.decide(pseudonymous(), 'lab').reason).to.match(/\(mail, assurance\)/);
  });

  it('a met requirement allows nothing by itself: under default: deny the user still needs an allow rule', () => {
    const strict = parsePolicy('default: deny\nrules:\n  - { name: r, require: [mail] }\n', 'p.yml');
    expect(strict.decide(person({}), undefined).allowed).to.equal(false);
    expect(strict.decide(pseudonymous(), undefined).reason).to.match(/\(mail\)/);
  });

  it('takes the rule\'s own reason', () => {
    const p = parsePolicy('rules:\n  - { name: r, require: mail, reason: "Ask your IdP to release your mail." }\n', 'p.yml');
    expect(p.decide(pseudonymous(), undefined)).to.include({ allowed: false, reason: 'Ask your IdP to release your mail.' });
  });

  it('is validated at load: known attributes, conditions as in match, no grants, the unscoped rule for values', () => {
    expect(errorOf('rules:\n  - { name: r, require: [email] }\n')).to.match(/rules\[0\]\.require\[0\]: unknown attribute "email"/);
    expect(errorOf('rules:\n  - { name: r, require: [] }\n')).to.match(/rules\[0\]\.require: must not be empty/);
    for (const key of ['allow: true', 'moderator: true', 'features: { recording: true }', 'affiliation: owner', 'lobby_bypass: true']) {
      expect(errorOf(`rules:\n  - { name: r, require: [mail], ${key} }\n`), key).to.match(/a require rule only refuses whoever lacks its requirements/);
    }
    expect(errorOf('rules:\n  - { name: r, require: [{ attribute: mail, equals: a@b.c }] }\n')).to.match(/rules\[0\]\.require: mail is not scoped/);
    expect(() => parsePolicy('rules:\n  - { name: r, match: [{ idp: x }], require: [{ attribute: mail, regex: ".*@x" }] }\n', 'p.yml')).not.to.throw();
    expect(errorOf('rules:\n  - { name: r, require: [{ attribute: mail }] }\n')).to.match(/needs exactly one of equals, regex, in, present/);
  });
});

describe('policy/load: what operators ask Jitsi for (issue 21)', () => {
  it('role: visitor makes a visitor; a rule that makes the same users moderators is refused at load', () => {
    const p = parsePolicy('rules:\n  - { name: audience, match: { attribute: affiliation, equals: student@uni.example }, role: visitor }\n', 'p.yml');
    expect(p.decide(person({ affiliation: ['student@uni.example'] }), undefined)).to.deep.equal({ allowed: true, role: 'visitor', features: { recording: true, livestreaming: false } });
    expect(p.decide(person({}), undefined)).not.to.have.property('role');
    expect(p.namesVisitors).to.equal(true);
    expect(parsePolicy('', 'p.yml').namesVisitors).to.equal(false);
    for (const both of ['moderator: true', 'affiliation: owner', 'affiliation: teacher']) {
      expect(errorOf(`rules:\n  - { name: a, ${both}, role: visitor }\n`), both).to.match(/rules\[0\]\.role: a rule cannot make users both moderators and visitors/);
    }
    expect(errorOf('rules:\n  - { name: a, role: moderator }\n')).to.match(/rules\[0\]\.role: must be visitor/);
    expect(errorOf('rules:\n  - { name: a, allow: false, role: visitor }\n')).to.match(/rules\[0\]\.role: a deny rule/);
  });

  it('an unknown feature is refused with the nearest valid name and the list', () => {
    expect(errorOf('rules:\n  - { name: a, features: { screensharing: false } }\n')).to.match(/rules\[0\]\.features\.screensharing: unknown feature: did you mean `screen-sharing`\? \(Jitsi accepts branding, calendar, .*name-readonly\)/);
    expect(errorOf('defaults: { features: { Recording: true } }\n')).to.match(/defaults\.features\.Recording: unknown feature: did you mean `recording`\?/);
    expect(errorOf('rules:\n  - { name: a, features: { quantum-teleport: true } }\n')).to.match(/unknown feature \(Jitsi accepts/);
  });

  it('name-readonly takes the boolean true only: Prosody\'s mod_muc_displayname ignores the string "true"', () => {
    expect(errorOf('rules:\n  - { name: a, features: { name-readonly: "true" } }\n')).to.match(/features\.name-readonly: must be true or false \(Prosody ignores the string "true"\)/);
    const p = parsePolicy('rules:\n  - { name: a, features: { name-readonly: true } }\n', 'p.yml');
    expect(p.decide(person({}), undefined).features['name-readonly']).to.equal(true);
    expect(p.makesNamesReadonly).to.equal(true);
    expect(parsePolicy('defaults: { features: { name-readonly: true } }\n', 'p.yml').makesNamesReadonly).to.equal(true);
    expect(parsePolicy('rules:\n  - { name: a, features: { name-readonly: false } }\n', 'p.yml').makesNamesReadonly).to.equal(false);
  });

  it('warns about a rule that keeps moderators in their own lobby, and about nothing else', () => {
    const p = parsePolicy('rules:\n  - { name: tutors, affiliation: owner, lobby_bypass: false }\n  - { name: staff, moderator: true }\n', 'p.yml');
    expect(p.warnings).to.deep.equal([
      'rule "tutors" says lobby_bypass: false: the moderators it applies to wait in their own lobby while it is on (Prosody\'s token_affiliation does not let an owner past it)',
    ]);
    expect(parsePolicy(readFileSync(EXAMPLE, 'utf8'), EXAMPLE).warnings).to.deep.equal([]);
    expect(p.grantsLobbyBypass, 'moderators get the bypass: token_lobby_bypass is needed').to.equal(true);
  });
});
