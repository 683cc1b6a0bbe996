// The handbook's configuration table (docs/reference.md) is generated from .env_ref, the one place where every variable
// is documented, so the two can never disagree. `npm run docs` rewrites the table; a unit test
// fails when docs/reference.md is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../package-root';

export interface EnvReferenceEntry {
  section: string;
  name: string;
  defaultValue: string;
  description: string;
}

const SECTION = /^#\s*===\s*(.+?)\s*===\s*$/;
const VARIABLE = /^([A-Z][A-Z0-9_]*)=(.*)$/;
/** The page that holds the generated table. */
export const REFERENCE_DOC = 'docs/reference.md';

const BEGIN = '<!-- env-table:begin (generated from .env_ref by `npm run docs`) -->';
const END = '<!-- env-table:end -->';

/** Reads `.env_ref`: `# === Section ===` headers, then comment blocks each followed by `NAME=default`. */
export function parseEnvReference(text: string): EnvReferenceEntry[] {
  const entries: EnvReferenceEntry[] = [];
  let section = '';
  let comments: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const sectionMatch = SECTION.exec(line);
    const variableMatch = VARIABLE.exec(line);
    if (sectionMatch) {
      section = sectionMatch[1] ?? '';
      comments = [];
    } else if (variableMatch) {
      entries.push({
        section,
        name: variableMatch[1] ?? '',
        defaultValue: variableMatch[2] ?? '',
        description: comments.join(' '),
      });
      comments = [];
    } else if (line.startsWith('#')) {
      comments.push(line.replace(/^#\s?/, '').trim());
    } else if (line.trim() === '') {
      comments = [];
    }
  }
  return entries;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

export function renderEnvTable(entries: EnvReferenceEntry[]): string {
  const lines: string[] = [];
  let section: string | undefined;
  for (const entry of entries) {
    if (entry.section !== section) {
      section = entry.section;
      lines.push('', `**${section}**`, '', '| Variable | Default | Meaning |', '| --- | --- | --- |');
    }
    const shown = entry.defaultValue === '' ? '(empty)' : `\`${cell(entry.defaultValue)}\``;
    lines.push(`| \`${entry.name}\` | ${shown} | ${cell(entry.description)} |`);
  }
  return lines.join('\n').trim();
}

/** docs/reference.md with its generated table replaced by a fresh one from .env_ref. */
export function withFreshEnvTable(page: string, envRef: string): string {
  const start = page.indexOf(BEGIN);
  const end = page.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${REFERENCE_DOC} lacks the markers ${BEGIN} ... ${END}`);
  const table = renderEnvTable(parseEnvReference(envRef));
  return `${page.slice(0, start + BEGIN.length)}\n${table}\n${page.slice(end)}`;
}

if (require.main === module) {
  const root = packageRoot();
  const pagePath = path.join(root, REFERENCE_DOC);
  const fresh = withFreshEnvTable(readFileSync(pagePath, 'utf8'), readFileSync(path.join(root, '.env_ref'), 'utf8'));
  writeFileSync(pagePath, fresh);
  process.stdout.write(`${REFERENCE_DOC} configuration table regenerated from .env_ref\n`);
}
