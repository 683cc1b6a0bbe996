// The catalogues: every language says everything English says, with the same placeholders; every
// reason code the sidecar can answer with has its words in each of them; and no page writes text
// of its own.
import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { CATALOGUES, LANGUAGES, placeholdersOf } from '../../../sidecar/src/pages/catalogue';
import { REASONS } from '../../../sidecar/src/pages/reasons';
import { Refusal, statusOfRefusal, type RefusalKind } from '../../../sidecar/src/refusal';
import { checkJitsiName } from '../../../sidecar/src/meeting/jitsi-names';
import { leaves } from '../../support/page-views';

const SRC = path.resolve(__dirname, '../../../sidecar/src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sourceFiles(file);
    return name.endsWith('.ts') ? [file] : [];
  });
}

/** Reasons written as templates in the source, and what they can become. A new template must be listed here. */
const TEMPLATE_REASONS: Record<string, string[]> = { 'invalid_${kind}': ['invalid_room', 'invalid_tenant'] };

/** Every reason code the source can refuse with, and the status its kind maps to. */
function thrownReasons(): Map<string, Set<number>> {
  const found = new Map<string, Set<number>>();
  const add = (reason: string, status: number): void => {
    for (const r of reason.includes('${') ? (TEMPLATE_REASONS[reason] ?? [`unlisted template ${reason}`]) : [reason]) {
      found.set(r, (found.get(r) ?? new Set()).add(status));
    }
  };
  for (const file of sourceFiles(SRC)) {
    const source = readFileSync(file, 'utf8');
    // new Refusal('kind', 'reason', ...) and a subclass's super('kind', 'reason', ...)
    for (const m of source.matchAll(/(?:new Refusal|super)\(\s*'([a-z_]+)',\s*(['`])([^'`]+)\2/g)) {
      add(m[3] as string, statusOfRefusal[m[1] as RefusalKind]);
    }
  }
  // Errors that are not Refusals (respond-error.ts classifyError).
  const classify = readFileSync(path.join(SRC, 'http/respond-error.ts'), 'utf8');
  for (const m of classify.matchAll(/status: (\d+|e\.status), reason: '([a-z_]+)'/g)) add(m[2] as string, m[1] === 'e.status' ? 400 : Number(m[1]));
  return found;
}

describe('pages: the catalogues', () => {
  const english = leaves(CATALOGUES.en);

  it('has the six languages, English first', () => {
    expect(LANGUAGES).to.deep.equal(['en', 'fr', 'de', 'es', 'it', 'nl']);
  });

  for (const lang of LANGUAGES) {
    it(`${lang}: every key of English, nothing more, none empty, the same placeholders`, () => {
      const words = leaves(CATALOGUES[lang]);
      expect([...words.keys()].sort()).to.deep.equal([...english.keys()].sort());
      for (const [key, message] of words) {
        expect(message.trim(), `${lang} ${key}`).to.not.equal('');
        expect(placeholdersOf(message).sort(), `${lang} ${key}`).to.deep.equal(placeholdersOf(english.get(key) as string).sort());
      }
    });
  }

  it('the languages are translated, not copies of English', () => {
    for (const lang of LANGUAGES.filter((l) => l !== 'en')) {
      const words = leaves(CATALOGUES[lang]);
      const same = [...english].filter(([key, message]) => key !== 'page.documentTitle' && words.get(key) === message).map(([key]) => key);
      // Names and codes may stay as they are; sentences may not.
      expect(same.filter((key) => (english.get(key) as string).includes(' ')), lang).to.deep.equal([]);
    }
  });

  it('each language names itself', () => {
    const names = LANGUAGES.map((lang) => CATALOGUES[lang].language);
    expect(names).to.deep.equal(['English', 'Français', 'Deutsch', 'Español', 'Italiano', 'Nederlands']);
  });
});

describe('pages: every reason code has its words', () => {
  const thrown = thrownReasons();

  it('finds the refusals in the source (the scan works)', () => {
    expect(thrown.size).to.be.greaterThan(30);
    for (const reason of ['policy_denied', 'invalid_room', 'invalid_tenant', 'rate_limited', 'internal', 'bad_request']) expect(thrown.has(reason), reason).to.equal(true);
  });

  it('a template reason expands as listed', () => {
    for (const kind of ['room', 'tenant'] as const) {
      try {
        checkJitsiName(kind, '?');
        expect.fail('no refusal');
      } catch (err) {
        expect(TEMPLATE_REASONS['invalid_${kind}']).to.include((err as Refusal).reason);
      }
    }
  });

  it('every reason thrown anywhere in sidecar/src is in the table, with the status it is answered with', () => {
    const table = REASONS as Record<string, { status: number }>;
    for (const [reason, statuses] of thrown) {
      expect(table[reason], `${reason} is not in sidecar/src/pages/reasons.ts`).to.not.equal(undefined);
      expect([...statuses], reason).to.deep.equal([table[reason]?.status]);
    }
  });

  it('the table names only reasons the source throws', () => {
    expect(Object.keys(REASONS).filter((r) => !thrown.has(r))).to.deep.equal([]);
  });

  it('every reason has what happened and what to do, in every language', () => {
    for (const lang of LANGUAGES) {
      expect(Object.keys(CATALOGUES[lang].reasons).sort(), lang).to.deep.equal(Object.keys(REASONS).sort());
    }
  });

  it('every status a reason has has a title', () => {
    for (const { status } of Object.values(REASONS)) expect(Object.keys(CATALOGUES.en.titles)).to.include(String(status));
  });
});
