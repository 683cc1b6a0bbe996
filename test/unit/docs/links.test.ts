// Every relative link and anchor in the handbook (README.md and docs/*.md) resolves: a page that
// moves, or a heading that is renamed, must not leave a reader at a dead link. Anchors follow
// GitHub's slugs (lower-case, punctuation other than - and _ dropped, spaces to -, a repeated
// heading gets -1, -2, ...).
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');

/** GitHub's anchor for a heading's text (inline code and link syntax reduced to their words). */
function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '').replace(/\s/g, '-');
}

/** The anchors a markdown file offers: its headings' slugs, outside fenced code. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const slug = githubSlug(heading[1] ?? '');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Link targets in a markdown file, outside fenced and inline code. */
function linksOf(markdown: string): string[] {
  const links: string[] = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) {
      fenced = !fenced;
      continue;
    }
    if (fenced) continue;
    const prose = line.replace(/`[^`]*`/g, '');
    for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) if (m[1]) links.push(m[1]);
  }
  return links;
}

/** What is wrong with each relative link of one file: a missing file, or a missing anchor. */
function brokenLinks(file: string, markdown: string, read: (p: string) => string | null): string[] {
  const broken: string[] = [];
  for (const link of linksOf(markdown)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // https:, mailto: ...: not ours to check
    const [target, anchor] = link.split('#', 2) as [string, string | undefined];
    const resolved = target === '' ? file : path.normalize(path.join(path.dirname(file), decodeURIComponent(target)));
    const text = read(resolved);
    if (text === null) {
      broken.push(`${file}: ${link} (no such file)`);
      continue;
    }
    if (anchor !== undefined && resolved.endsWith('.md') && !anchorsOf(text).has(decodeURIComponent(anchor).toLowerCase())) {
      broken.push(`${file}: ${link} (no such heading)`);
    }
  }
  return broken;
}

function readInRepo(relative: string): string | null {
  const full = path.join(root, relative);
  if (!existsSync(full)) return null;
  return statSync(full).isDirectory() ? '' : readFileSync(full, 'utf8');
}

describe('docs: the handbook\'s links', () => {
  const pages = ['README.md', ...readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

  it('slugs headings as GitHub does', () => {
    expect(githubSlug('RS256 tokens: no shared secret')).to.equal('rs256-tokens-no-shared-secret');
    expect(githubSlug('What users see: languages, branding, support')).to.equal('what-users-see-languages-branding-support');
    expect(githubSlug("Changing the SP's key without an outage")).to.equal('changing-the-sps-key-without-an-outage');
    expect(githubSlug('Issue 20: a large federation (aggregate or MDQ)')).to.equal('issue-20-a-large-federation-aggregate-or-mdq');
    expect(githubSlug('`--sp-info` and SP_ENTITY_ID')).to.equal('--sp-info-and-sp_entity_id');
    expect([...anchorsOf('# A\n## B\n```\n# not a heading\n```\n## B\n## B\n')]).to.deep.equal(['a', 'b', 'b-1', 'b-2']);
  });

  it('finds a broken file and a broken anchor', () => {
    const files: Record<string, string> = { 'docs/a.md': '# Here\n', 'README.md': '' };
    const read = (p: string): string | null => files[p] ?? null;
    const md = '[ok](docs/a.md#here) [gone](docs/b.md) [bad](docs/a.md#there) [self](#nowhere) `[code](x.md)` [web](https://x.example/#y)';
    expect(brokenLinks('README.md', md, read)).to.deep.equal([
      'README.md: docs/b.md (no such file)',
      'README.md: docs/a.md#there (no such heading)',
      'README.md: #nowhere (no such heading)',
    ]);
  });

  it('every relative link and anchor in README.md and docs/*.md resolves', () => {
    expect(pages.length).to.be.greaterThan(10);
    const broken = pages.flatMap((page) => brokenLinks(page, readFileSync(path.join(root, page), 'utf8'), readInRepo));
    expect(broken).to.deep.equal([]);
  });
});
