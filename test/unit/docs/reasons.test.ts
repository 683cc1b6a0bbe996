// docs/reasons.md is made from the reason table and the English catalogue, and lists every code.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REASONS_DOC, renderReasonsDoc } from '../../../scripts/docs/reasons';
import { REASONS } from '../../../sidecar/src/pages/reasons';

const root = path.resolve(__dirname, '../../..');

describe('docs: reasons.md', () => {
  it('is current (run `npm run docs` after changing the reasons or the English catalogue)', () => {
    expect(readFileSync(path.join(root, REASONS_DOC), 'utf8')).to.equal(renderReasonsDoc());
  });

  it('has one row per reason code, with its status', () => {
    const rows = [...renderReasonsDoc().matchAll(/^\| `([a-z_]+)` \| (\d+) \|/gm)].map((m) => [m[1], Number(m[2])]);
    expect(rows).to.deep.equal(Object.entries(REASONS).map(([code, { status }]) => [code, status]));
  });
});
