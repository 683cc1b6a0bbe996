// The policy's JSON Schema (for an operator's editor) is made from the loader's own lists: it is
// current, the example names it, and it agrees with the loader on what it can express.
import Ajv from 'ajv';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { POLICY_SCHEMA, policySchema, renderPolicySchema } from '../../../scripts/docs/policy-schema';
import { parsePolicy, PolicyError } from '../../../sidecar/src/policy/load';

const root = path.resolve(__dirname, '../../..');
const EXAMPLE = path.join(root, 'compose-overlay/policy/policy.example.yml');

describe('docs: policy.schema.json', () => {
  const validate = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(policySchema());
  const schemaAccepts = (yaml: string): boolean => validate(parse(yaml)) === true;
  const loaderAccepts = (yaml: string): boolean => {
    try {
      parsePolicy(yaml, 'p.yml');
      return true;
    } catch (err) {
      if (err instanceof PolicyError) return false;
      throw err;
    }
  };

  it('is current (run `npm run docs` after changing the loader\'s keys, features or attributes)', () => {
    expect(readFileSync(path.join(root, POLICY_SCHEMA), 'utf8')).to.equal(renderPolicySchema());
  });

  it('the example policy names it for the editor, and validates', () => {
    const example = readFileSync(EXAMPLE, 'utf8');
    expect(example.split('\n')[0]).to.equal('# yaml-language-server: $schema=./policy.schema.json');
    expect(schemaAccepts(example), JSON.stringify(validate.errors)).to.equal(true);
  });

  const cases: [string, string][] = [
    ['an empty file', ''],
    ['a visitor rule', 'rules:\n  - { name: a, role: visitor }\n'],
    ['a require rule', 'rules:\n  - { name: a, tenant: acme, require: [mail, { attribute: assurance, equals: x }] }\n'],
    ['features as the client takes them', 'defaults: { features: { recording: "false", name-readonly: true } }\n'],
    ['a misspelt feature', 'rules:\n  - { name: a, features: { screensharing: true } }\n'],
    ['name-readonly as a string', 'rules:\n  - { name: a, features: { name-readonly: "true" } }\n'],
    ['a feature value the client refuses', 'rules:\n  - { name: a, features: { recording: 1 } }\n'],
    ['an unknown rule key', 'rules:\n  - { name: a, rank: 1 }\n'],
    ['an unknown attribute', 'rules:\n  - { name: a, match: { attribute: uid, present: true } }\n'],
    ['a condition with two tests', 'rules:\n  - { name: a, match: { attribute: eppn, equals: x, regex: y } }\n'],
    ['a role other than visitor', 'rules:\n  - { name: a, role: moderator }\n'],
    ['a rule without a name', 'rules:\n  - { allow: true }\n'],
    ['default neither allow nor deny', 'default: maybe\n'],
  ];
  for (const [what, yaml] of cases) {
    it(`agrees with the loader: ${what}`, () => expect(schemaAccepts(yaml), JSON.stringify(validate.errors)).to.equal(loaderAccepts(yaml)));
  }
});
