// The operator's policy: who may get a token, with which role and features.
//
// File format (YAML, POLICY_FILE; sample: compose-overlay/policy/policy.example.yml):
//
//   defaults:
//     features: { recording: true, livestreaming: false }   # context.features for everyone
//   default: allow            # allow | deny: the answer when no rule allows (default: allow)
//   default_reason: "..."     # shown on the error page when `default: deny` refuses
//   rules:
//     - name: staff are moderators       # required, used in logs
//       tenant: acme                     # optional: only in these tenants (string or list); the
//                                        #   root (no tenant) is written as "/"
//       match:                           # optional: ALL conditions must hold; none = everyone
//         - { attribute: affiliation, equals: staff@uni.example }
//         - { attribute: mail, regex: '.*@uni\.example' }     # must match the WHOLE value
//         - { attribute: entitlement, in: [urn:a, urn:b] }     # unscoped (mail, displayName,
//                                        #   entitlement, givenName, sn): only with an idp condition
//         - { attribute: eppn, present: true }
//         - { idp: https://idp.uni.example/idp/shibboleth }    # Shib-Identity-Provider (string or list)
//         - { issuer: https://login.uni.example/realms/staff }  # OpenID Connect: the ID token's iss
//                                        #   (string or list); counts as an idp condition
//       allow: true                      # default true; false refuses, with `reason`
//       reason: "..."                    # only with allow: false
//       affiliation: owner               # context.user.affiliation (owner|moderator|teacher|member|...)
//       moderator: true                  # context.user.moderator
//       lobby_bypass: true               # context.user.lobby_bypass: skip the lobby (allow rules
//                                        #   only; needs token_lobby_bypass in XMPP_MUC_MODULES).
//                                        #   Moderators get it without asking; false opts them out
//       role: visitor                    # context.user.role: join as a visitor (not with moderator)
//       features: { recording: true }    # merged over defaults; names and values as the client
//                                        #   accepts them (features.ts), plus name-readonly: true
//     - name: acme needs a mail          # a require rule: refuses whoever lacks what it lists
//       tenant: acme
//       require:                         # attribute names (present) or conditions as in match
//         - mail
//         - { attribute: assurance, equals: https://refeds.org/assurance/IAP/medium }
//       reason: "..."                    # optional; default names what is missing
//
// Semantics, chosen to be predictable:
//   - A rule applies when its tenant scope holds and every match condition holds. An attribute
//     condition holds when ANY value of the (multi-valued) attribute satisfies it.
//   - Every rule is checked in file order. A deny rule that applies refuses the token: deny wins
//     over any allow, wherever it stands; the first applying deny gives the reason. A require rule
//     that applies refuses like a deny rule when one of its requirements does not hold, and
//     otherwise does nothing: it never allows, grants a role or sets features.
//   - Otherwise the token is allowed when at least one allow rule applies, else `default` decides.
//   - Among applying allow rules, the first that sets `affiliation` sets it, likewise `moderator`;
//     any applying allow rule with `lobby_bypass: true` grants it, and a moderator gets it unless
//     an applying rule says `lobby_bypass: false` (token_affiliation alone does not let an owner
//     past an active lobby: JITSI.md); any applying allow rule with `role: visitor` makes the
//     user a visitor, unless they are a moderator;
//     `features` of all applying allow rules merge over the defaults in file order (later wins).
//   - A rule that tests an unscoped attribute (any IdP of a federation may assert any value of
//     it) must also have an idp condition, or the policy is refused at load. A requirement that is
//     a bare attribute name only asks that the IdP released it, and needs none. eduPersonAssurance
//     (`assurance`) is what an IdP says of its own users' vetting and needs none either.
// Without POLICY_FILE, or when no rule says otherwise, a user without a mail gets a token too
// (REFEDS Pseudonymous Access releases none): `require: [mail]` keeps such users out.
//   - Tenants are compared lower-cased (the Jitsi client lower-cases them). Regexes are JavaScript
//     regular expressions, anchored at both ends, compiled once at load. A pattern that could
//     backtrack for long is refused at load, and a value over 256 characters is never matched:
//     the token is refused instead (policy-regex.ts).
// Without POLICY_FILE: everyone signed in is allowed, as a member, with the default features.
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { ATTRIBUTE_NAMES, UNSCOPED_ATTRIBUTES, type AttributeName } from '../identity/attributes';
import type { Identity } from '../identity/identity';
import { Refusal } from '../refusal';
import { FEATURE_NAMES, featureValueProblem, NAME_READONLY, nearestFeatureName } from './features';
import type { Features, FeatureValue, Policy, PolicyDecision } from './policy';
import { MAX_MATCHED_LENGTH, unsafeRegexReason } from './policy-regex';
import { isOwner } from '../token/role';

export class PolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyError';
  }
}

export const DEFAULT_FEATURES: Readonly<Features> = Object.freeze({ recording: true, livestreaming: false });

/** The tenant scope value that means "the root, no tenant". */
export const ROOT_TENANT = '/';

type Condition = (identity: Identity) => boolean;

/** One `require` entry: the condition, and the attribute a refusal names when it does not hold. */
interface Requirement {
  holds: Condition;
  attribute: string;
}

interface Rule {
  name: string;
  tenants?: ReadonlySet<string>;
  conditions: Condition[];
  allow: boolean;
  reason?: string;
  affiliation?: string;
  moderator?: boolean;
  lobbyBypass?: boolean;
  visitor?: true;
  features?: Features;
  /** Only on require rules, which never allow. */
  requirements?: Requirement[];
}

interface PolicySpec {
  defaultFeatures: Features;
  defaultAllow: boolean;
  defaultReason: string;
  rules: Rule[];
}

const DEFAULT_DENY_REASON = 'Your account is not allowed to use this meeting service.';

/**
 * `baseFeatures` come before the file's defaults (and so before its rules): what the deployment
 * wants for every token unless the operator's policy says otherwise (READONLY_NAMES).
 */
export function loadPolicy(path: string | undefined, baseFeatures: Features = {}): Policy {
  if (path === undefined) return defaultPolicy(baseFeatures);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new PolicyError(`${path}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parsePolicy(text, path, baseFeatures);
}

export function defaultPolicy(baseFeatures: Features = {}): Policy {
  return compile({ defaultFeatures: { ...baseFeatures, ...DEFAULT_FEATURES }, defaultAllow: true, defaultReason: DEFAULT_DENY_REASON, rules: [] });
}

/** The rule keys and what each may hold, as policy.schema.json publishes them. */
export const POLICY_TOP_KEYS = ['defaults', 'default', 'default_reason', 'rules'] as const;
export const RULE_KEYS = ['name', 'tenant', 'match', 'require', 'allow', 'reason', 'affiliation', 'moderator', 'lobby_bypass', 'role', 'features'] as const;
export const CONDITION_KEYS = ['attribute', 'equals', 'regex', 'in', 'present', 'idp', 'issuer'] as const;

export function parsePolicy(yamlText: string, sourceName: string, baseFeatures: Features = {}): Policy {
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const firstError = doc.errors[0];
  if (firstError) {
    const line = lineCounter.linePos(firstError.pos[0]).line;
    throw new PolicyError(`${sourceName}: invalid YAML${line ? ` at line ${line}` : ''}: ${firstError.message.split('\n')[0]}`);
  }
  const fail = (path: Path, message: string): never => {
    const node = path.length ? doc.getIn(path, true) : doc.contents;
    const range = isNode(node) ? node.range : undefined;
    const line = range ? lineCounter.linePos(range[0]).line : undefined;
    throw new PolicyError(`${sourceName}: ${formatPath(path) || '(top level)'}: ${message}${line ? ` (line ${line})` : ''}`);
  };
  const root: unknown = doc.toJS();
  const spec = readSpec(root ?? {}, fail);
  return compile({ ...spec, defaultFeatures: { ...baseFeatures, ...spec.defaultFeatures } });
}

type Path = (string | number)[];
type Fail = (path: Path, message: string) => never;

function formatPath(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function expectRecord(v: unknown, path: Path, fail: Fail, allowed: readonly string[]): Record<string, unknown> {
  if (!isRecord(v)) return fail(path, 'must be a mapping');
  for (const key of Object.keys(v)) {
    if (!allowed.includes(key)) fail([...path, key], `unknown key (allowed: ${allowed.join(', ')})`);
  }
  return v;
}

function expectString(v: unknown, path: Path, fail: Fail): string {
  if (typeof v !== 'string' || v.trim() === '') return fail(path, 'must be a non-empty string');
  return v;
}

function expectBoolean(v: unknown, path: Path, fail: Fail): boolean {
  if (typeof v !== 'boolean') return fail(path, 'must be true or false');
  return v;
}

function expectStringList(v: unknown, path: Path, fail: Fail): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0) fail(path, 'must not be empty');
  return list.map((item, i) => expectString(item, Array.isArray(v) ? [...path, i] : path, fail));
}

function readFeatures(v: unknown, path: Path, fail: Fail): Features {
  if (!isRecord(v)) return fail(path, 'must be a mapping of feature name to true or false');
  const out: Features = {};
  for (const [name, value] of Object.entries(v)) {
    if (!FEATURE_NAMES.includes(name)) {
      const nearest = nearestFeatureName(name);
      fail([...path, name], `unknown feature${nearest ? `: did you mean \`${nearest}\`?` : ''} (Jitsi accepts ${FEATURE_NAMES.join(', ')})`);
    }
    const problem = featureValueProblem(name, value);
    if (problem !== undefined) fail([...path, name], problem);
    out[name] = value as FeatureValue;
  }
  return out;
}

function readSpec(root: unknown, fail: Fail): PolicySpec {
  const top = expectRecord(root, [], fail, POLICY_TOP_KEYS);
  let defaultFeatures: Features = { ...DEFAULT_FEATURES };
  if (top.defaults !== undefined) {
    const defaults = expectRecord(top.defaults, ['defaults'], fail, ['features']);
    if (defaults.features !== undefined) defaultFeatures = readFeatures(defaults.features, ['defaults', 'features'], fail);
  }
  let defaultAllow = true;
  if (top.default !== undefined) {
    if (top.default !== 'allow' && top.default !== 'deny') fail(['default'], 'must be allow or deny');
    defaultAllow = top.default === 'allow';
  }
  const defaultReason = top.default_reason === undefined ? DEFAULT_DENY_REASON : expectString(top.default_reason, ['default_reason'], fail);
  if (top.default_reason !== undefined && defaultAllow) fail(['default_reason'], 'only makes sense with default: deny');
  let rules: Rule[] = [];
  if (top.rules !== undefined && top.rules !== null) {
    if (!Array.isArray(top.rules)) fail(['rules'], 'must be a list');
    rules = (top.rules as unknown[]).map((r, i) => readRule(r, ['rules', i], fail));
  }
  return { defaultFeatures, defaultAllow, defaultReason, rules };
}

const GRANTS = ['affiliation', 'moderator', 'lobby_bypass', 'role', 'features'] as const;

function readRule(v: unknown, path: Path, fail: Fail): Rule {
  const r = expectRecord(v, path, fail, RULE_KEYS);
  const rule: Rule = {
    name: expectString(r.name, [...path, 'name'], fail),
    conditions: [],
    allow: r.allow === undefined ? true : expectBoolean(r.allow, [...path, 'allow'], fail),
  };
  if (r.tenant !== undefined) {
    rule.tenants = new Set(expectStringList(r.tenant, [...path, 'tenant'], fail).map((t) => t.toLowerCase()));
  }
  const matchEntries = listOf(r.match);
  if (r.match !== undefined) {
    const matchPath = [...path, 'match'];
    rule.conditions = matchEntries.map((c, i) => readCondition(c, Array.isArray(r.match) ? [...matchPath, i] : matchPath, fail));
    requireIdpForUnscoped(matchEntries, matchPath, fail);
  }
  if (r.require !== undefined) {
    for (const key of ['allow', ...GRANTS] as const) {
      if (r[key] !== undefined) fail([...path, key], 'a require rule only refuses whoever lacks its requirements: set access, roles and features in another rule');
    }
    rule.requirements = readRequirements(r.require, matchEntries, [...path, 'require'], fail);
  }
  if (r.reason !== undefined) {
    if (rule.allow && !rule.requirements) fail([...path, 'reason'], 'only makes sense with allow: false or require');
    rule.reason = expectString(r.reason, [...path, 'reason'], fail);
  }
  for (const key of GRANTS) {
    if (!rule.allow && r[key] !== undefined) fail([...path, key], 'a deny rule (allow: false) cannot set roles or features');
  }
  if (r.affiliation !== undefined) rule.affiliation = expectString(r.affiliation, [...path, 'affiliation'], fail);
  if (r.moderator !== undefined) rule.moderator = expectBoolean(r.moderator, [...path, 'moderator'], fail);
  if (r.lobby_bypass !== undefined) rule.lobbyBypass = expectBoolean(r.lobby_bypass, [...path, 'lobby_bypass'], fail);
  if (r.role !== undefined) {
    if (r.role !== 'visitor') fail([...path, 'role'], 'must be visitor (the only role a token can ask for; moderators come from affiliation or moderator)');
    if (isOwner(rule)) fail([...path, 'role'], 'a rule cannot make users both moderators and visitors: a visitor cannot moderate');
    rule.visitor = true;
  }
  if (r.features !== undefined) rule.features = readFeatures(r.features, [...path, 'features'], fail);
  return rule;
}

function listOf(v: unknown): unknown[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/**
 * `require:` entries: an attribute name (the IdP released it) or a condition as in `match`. A
 * condition on an unscoped attribute needs the rule's match to name the IdPs it trusts.
 */
function readRequirements(v: unknown, matchEntries: readonly unknown[], path: Path, fail: Fail): Requirement[] {
  const entries = listOf(v);
  if (entries.length === 0) fail(path, 'must not be empty');
  const at = (i: number): Path => (Array.isArray(v) ? [...path, i] : path);
  const requirements = entries.map((entry, i): Requirement => {
    if (typeof entry === 'string') {
      if (!(ATTRIBUTE_NAMES as readonly string[]).includes(entry)) fail(at(i), `unknown attribute "${entry}" (known: ${ATTRIBUTE_NAMES.join(', ')})`);
      const name = entry as AttributeName;
      return { attribute: name, holds: (identity) => (identity.attributes[name]?.length ?? 0) > 0 };
    }
    const holds = readCondition(entry, at(i), fail);
    if (isRecord(entry) && entry.idp !== undefined) return { attribute: 'idp', holds };
    if (isRecord(entry) && entry.issuer !== undefined) return { attribute: 'issuer', holds };
    return { attribute: String(isRecord(entry) ? entry.attribute : ''), holds };
  });
  // After the entries themselves, so a typo is reported as such first.
  const conditions = entries.filter((entry) => typeof entry !== 'string');
  if (conditions.length > 0) requireIdpForUnscoped([...matchEntries, ...conditions], path, fail);
  return requirements;
}

/**
 * Any IdP of a federation may assert any value of an unscoped attribute (mail, entitlement, ...),
 * so a rule that tests one must also name the IdPs it believes. Checked after the conditions
 * themselves, so a typo is reported as such first.
 */
function requireIdpForUnscoped(entries: readonly unknown[], path: Path, fail: Fail): void {
  const field = (entry: unknown, key: string): unknown => (typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>)[key] : undefined);
  const unscoped = entries.map((e) => field(e, 'attribute')).filter((a): a is AttributeName => (UNSCOPED_ATTRIBUTES as readonly unknown[]).includes(a));
  // An OpenID Connect issuer names the provider as an IdP does.
  const namesIdp = entries.some((e) => field(e, 'idp') !== undefined || field(e, 'issuer') !== undefined || ['idp', 'issuer'].includes(String(field(e, 'attribute'))));
  if (unscoped.length > 0 && !namesIdp) {
    fail(path, `${[...new Set(unscoped)].join(', ')} is not scoped: any IdP of a federation may assert any value of it, so this rule also needs an \`idp:\` (or \`issuer:\`) condition naming the IdPs it trusts (unscoped: ${UNSCOPED_ATTRIBUTES.join(', ')})`);
  }
}

function readCondition(v: unknown, path: Path, fail: Fail): Condition {
  const c = expectRecord(v, path, fail, CONDITION_KEYS);
  if (c.idp !== undefined) {
    if (Object.keys(c).length !== 1) fail(path, 'an idp condition has no other keys');
    const idps = new Set(expectStringList(c.idp, [...path, 'idp'], fail));
    return (identity) => identity.idp !== undefined && idps.has(identity.idp);
  }
  if (c.issuer !== undefined) {
    // As idp, for users who signed in with OpenID Connect (Identity.issuer).
    if (Object.keys(c).length !== 1) fail(path, 'an issuer condition has no other keys');
    const issuers = new Set(expectStringList(c.issuer, [...path, 'issuer'], fail));
    return (identity) => identity.issuer !== undefined && issuers.has(identity.issuer);
  }
  if (c.attribute === undefined) return fail(path, 'needs `attribute` (with equals, regex, in or present), `idp` or `issuer`');
  const attribute = expectString(c.attribute, [...path, 'attribute'], fail);
  if (!(ATTRIBUTE_NAMES as readonly string[]).includes(attribute)) {
    fail([...path, 'attribute'], `unknown attribute "${attribute}" (known: ${ATTRIBUTE_NAMES.join(', ')})`);
  }
  const name = attribute as AttributeName;
  const tests = (['equals', 'regex', 'in', 'present'] as const).filter((k) => c[k] !== undefined);
  if (tests.length !== 1) return fail(path, 'needs exactly one of equals, regex, in, present');
  const values = (identity: Identity): readonly string[] => identity.attributes[name] ?? [];
  switch (tests[0]) {
    case 'equals': {
      const expected = expectString(c.equals, [...path, 'equals'], fail);
      return (identity) => values(identity).includes(expected);
    }
    case 'in': {
      const set = new Set(expectStringList(c.in, [...path, 'in'], fail));
      return (identity) => values(identity).some((value) => set.has(value));
    }
    case 'present': {
      const want = expectBoolean(c.present, [...path, 'present'], fail);
      return (identity) => values(identity).length > 0 === want;
    }
    default: {
      const source = expectString(c.regex, [...path, 'regex'], fail);
      const unsafe = unsafeRegexReason(source);
      if (unsafe !== undefined) return fail([...path, 'regex'], `pattern could run for too long: ${unsafe}`);
      let re: RegExp;
      try {
        re = new RegExp(`^(?:${source})$`, 'u');
      } catch (err) {
        return fail([...path, 'regex'], `invalid regular expression: ${(err as Error).message}`);
      }
      return (identity) =>
        values(identity).some((value) => {
          // Fail closed: a value too long to match safely could decide an allow or a deny rule.
          if (value.length > MAX_MATCHED_LENGTH) {
            throw new Refusal('forbidden', 'attribute_too_long', `The ${name} attribute is too long for this service's policy.`);
          }
          return re.test(value);
        });
    }
  }
}

function compile(spec: PolicySpec): Policy {
  const { defaultFeatures, defaultAllow, defaultReason, rules } = spec;
  const namesModerators = rules.some((rule) => rule.allow && isOwner(rule));
  const warnings = rules
    .filter((rule) => rule.allow && rule.lobbyBypass === false)
    .map((rule) => `rule "${rule.name}" says lobby_bypass: false: the moderators it applies to wait in their own lobby while it is on (Prosody's token_affiliation does not let an owner past it)`);
  return {
    grantsLobbyBypass: namesModerators || rules.some((rule) => rule.allow && rule.lobbyBypass === true),
    namesModerators,
    namesVisitors: rules.some((rule) => rule.allow && rule.visitor === true),
    makesNamesReadonly: [defaultFeatures, ...rules.map((rule) => rule.features ?? {})].some((features) => features[NAME_READONLY] === true),
    warnings,
    decide(identity: Identity, tenant: string | undefined): PolicyDecision {
      const scope = tenant === undefined || tenant === '' ? ROOT_TENANT : tenant.toLowerCase();
      const decision: PolicyDecision = { allowed: defaultAllow, features: { ...defaultFeatures } };
      let allowMatched = false;
      for (const rule of rules) {
        if (rule.tenants && !rule.tenants.has(scope)) continue;
        if (!rule.conditions.every((holds) => holds(identity))) continue;
        if (rule.requirements) {
          const missing = rule.requirements.filter((r) => !r.holds(identity)).map((r) => r.attribute);
          if (missing.length === 0) continue;
          const what = [...new Set(missing)].join(', ');
          return { allowed: false, reason: rule.reason ?? `Your identity provider did not release what this meeting service requires (${what}).`, features: {} };
        }
        if (!rule.allow) {
          return { allowed: false, reason: rule.reason ?? defaultReason, features: {} };
        }
        allowMatched = true;
        if (decision.affiliation === undefined && rule.affiliation !== undefined) decision.affiliation = rule.affiliation;
        if (decision.moderator === undefined && rule.moderator !== undefined) decision.moderator = rule.moderator;
        // A grant wins over an opt-out; the token layer gives moderators a bypass nobody opted out of.
        if (rule.lobbyBypass !== undefined && decision.lobbyBypass !== true) decision.lobbyBypass = rule.lobbyBypass;
        if (rule.visitor) decision.role = 'visitor';
        if (rule.features) Object.assign(decision.features, rule.features);
      }
      if (!allowMatched && !defaultAllow) return { allowed: false, reason: defaultReason, features: {} };
      decision.allowed = true;
      return decision;
    },
  };
}
