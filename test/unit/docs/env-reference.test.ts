import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnvReference, REFERENCE_DOC, withFreshEnvTable } from '../../../scripts/docs/env-reference';

const root = path.resolve(__dirname, '../../..');

describe('docs: .env_ref and the reference table (docs/reference.md)', () => {
  const envRef = readFileSync(path.join(root, '.env_ref'), 'utf8');

  it('parses sections, defaults and descriptions', () => {
    const entries = parseEnvReference('# === A ===\n# first line\n# second\nFOO=1\n\nBAR=\n');
    expect(entries).to.deep.equal([
      { section: 'A', name: 'FOO', defaultValue: '1', description: 'first line second' },
      { section: 'A', name: 'BAR', defaultValue: '', description: '' },
    ]);
  });

  it('documents every variable with a description', () => {
    const entries = parseEnvReference(envRef);
    expect(entries.length).to.be.greaterThan(10);
    const undocumented = entries.filter((e) => e.description === '').map((e) => e.name);
    expect(undocumented, 'variables without a description').to.deep.equal([]);
    const names = entries.map((e) => e.name);
    expect(new Set(names).size, 'each variable documented once').to.equal(names.length);
  });

  it('docs/reference.md table is current (run `npm run docs` after editing .env_ref)', () => {
    expect(REFERENCE_DOC).to.equal('docs/reference.md');
    const reference = readFileSync(path.join(root, REFERENCE_DOC), 'utf8');
    expect(withFreshEnvTable(reference, envRef)).to.equal(reference);
  });
});
