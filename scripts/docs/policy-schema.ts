// compose-overlay/policy/policy.schema.json: the policy file's JSON Schema, for an operator's
// editor (the example policy names it with a `# yaml-language-server: $schema=` line). Made from
// the loader's own lists (its keys, the feature names and values, the attribute names), so the
// schema and the loader cannot disagree on them; `npm run docs` rewrites it and a unit test fails
// when it is stale. What spans several fields (a deny rule grants nothing, an unscoped attribute
// needs an idp condition, a rule is not both moderator and visitor) only the loader checks.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ATTRIBUTE_NAMES } from '../../sidecar/src/identity/attributes';
import { CLIENT_FEATURES, NAME_READONLY } from '../../sidecar/src/policy/features';
import { CONDITION_KEYS, POLICY_TOP_KEYS, RULE_KEYS } from '../../sidecar/src/policy/load';
import { packageRoot } from '../package-root';

export const POLICY_SCHEMA = 'compose-overlay/policy/policy.schema.json';

type Schema = Record<string, unknown>;

const text: Schema = { type: 'string', minLength: 1 };
const textOrList: Schema = { oneOf: [text, { type: 'array', items: text, minItems: 1 }] };

/** Every key of `keys`, with the schema each must match. */
function exactly(keys: readonly string[], properties: Record<string, Schema>): Schema {
  const missing = keys.filter((k) => !(k in properties));
  if (missing.length > 0) throw new Error(`policy schema: no schema for ${missing.join(', ')}`);
  return { type: 'object', additionalProperties: false, properties };
}

export function policySchema(): Schema {
  const featureValue: Schema = { enum: [true, false, 'true', 'false'] };
  const attributeCondition: Schema = {
    ...exactly(
      CONDITION_KEYS.filter((k) => k !== 'idp' && k !== 'issuer'),
      { attribute: { enum: [...ATTRIBUTE_NAMES] }, equals: text, regex: text, in: textOrList, present: { type: 'boolean' } },
    ),
    required: ['attribute'],
    oneOf: ['equals', 'regex', 'in', 'present'].map((test) => ({ required: [test] })),
  };
  const idpCondition: Schema = { ...exactly(['idp'], { idp: textOrList }), required: ['idp'] };
  // An OpenID Connect provider, named as an IdP is (the ID token's iss).
  const issuerCondition: Schema = { ...exactly(['issuer'], { issuer: textOrList }), required: ['issuer'] };
  const condition: Schema = { oneOf: ['attributeCondition', 'idpCondition', 'issuerCondition'].map((name) => ({ $ref: `#/definitions/${name}` })) };
  const rule: Schema = {
    ...exactly(RULE_KEYS, {
      name: { ...text, description: 'Used in logs and error messages.' },
      tenant: { ...textOrList, description: 'Only in these tenants; the root (no tenant) is "/".' },
      match: { description: 'Every condition must hold.', oneOf: [condition, { type: 'array', items: condition }] },
      require: {
        description: 'Refuses whoever lacks one of these: an attribute name (released at all) or a condition.',
        oneOf: [{ enum: [...ATTRIBUTE_NAMES] }, condition, { type: 'array', minItems: 1, items: { oneOf: [{ enum: [...ATTRIBUTE_NAMES] }, condition] } }],
      },
      allow: { type: 'boolean', description: 'false: a deny rule, which refuses the token.' },
      reason: { ...text, description: 'Shown on the error page (deny and require rules).' },
      affiliation: { ...text, description: 'owner, moderator or teacher make a moderator (token_affiliation).' },
      moderator: { type: 'boolean' },
      lobby_bypass: { type: 'boolean', description: 'Skip the lobby. Moderators get it unless a rule says false.' },
      role: { enum: ['visitor'], description: 'Join as a visitor (never together with a moderator).' },
      features: { $ref: '#/definitions/features' },
    }),
    required: ['name'],
  };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'jitsi-saml2jwt policy (POLICY_FILE)',
    description: 'Who may get a token, with which role and features. Semantics: sidecar/src/policy/load.ts.',
    ...exactly(POLICY_TOP_KEYS, {
      defaults: exactly(['features'], { features: { $ref: '#/definitions/features' } }),
      default: { enum: ['allow', 'deny'] },
      default_reason: text,
      rules: { type: ['array', 'null'], items: { $ref: '#/definitions/rule' } },
    }),
    type: ['object', 'null'], // an empty file is the default policy
    definitions: {
      features: {
        type: 'object',
        additionalProperties: false,
        properties: {
          ...Object.fromEntries(CLIENT_FEATURES.map((name) => [name, featureValue])),
          [NAME_READONLY]: { type: 'boolean', description: 'Prosody takes the boolean true only.' },
        },
      },
      attributeCondition,
      idpCondition,
      issuerCondition,
      rule,
    },
  };
}

export function renderPolicySchema(): string {
  return `${JSON.stringify(policySchema(), null, 2)}\n`;
}

if (require.main === module) {
  writeFileSync(path.join(packageRoot(), POLICY_SCHEMA), renderPolicySchema());
  process.stdout.write(`${POLICY_SCHEMA} regenerated from the policy loader's lists\n`);
}
