// Setup reads as a list of features (DESIGN.md): each flag of `setup --help` belongs to exactly one
// feature module, which names the doctor checks that prove it.
import { expect } from 'chai';
import { setupUsage } from '../../../scripts/setup-inputs';
import { SETUP_FEATURES } from '../../../scripts/setup-plan';

// How a run behaves rather than what it sets up.
const RUN_FLAGS = ['--remove-old-backups', '--dry-run', '--non-interactive', '--yes', '--help'];

describe('scripts/setup: one module per feature', () => {
  const usageFlags = [...setupUsage.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1] as string);

  it('every feature flag of setup --help is owned by exactly one feature, and every owned flag is in the help', () => {
    const owned = SETUP_FEATURES.flatMap((f) => f.flags);
    expect(new Set(owned).size, 'no flag owned twice').to.equal(owned.length);
    expect([...owned].sort()).to.deep.equal(usageFlags.filter((flag) => !RUN_FLAGS.includes(flag)).sort());
  });

  it('each feature has a name and its own doctor checks, named once', () => {
    const checks = SETUP_FEATURES.flatMap((f) => f.doctorChecks);
    for (const feature of SETUP_FEATURES) expect(feature.name, 'a name').to.match(/\S/);
    for (const check of checks) expect(check).to.match(/\S/);
    expect(new Set(checks).size).to.equal(checks.length);
    expect(new Set(SETUP_FEATURES.map((f) => f.name)).size).to.equal(SETUP_FEATURES.length);
  });
});
