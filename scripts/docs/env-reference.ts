// The README's configuration table is generated from .env_ref, the one place where every variable
// is documented, so the two can never disagree. `npm run docs` rewrites the table; a unit test
// fails when the README is stale.
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

/** The README with its generated table replaced by a fresh one from .env_ref. */
export function withFreshEnvTable(readme: string, envRef: string): string {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the markers ${BEGIN} ... ${END}`);
  const table = renderEnvTable(parseEnvReference(envRef));
  return `${readme.slice(0, start + BEGIN.length)}\n${table}\n${readme.slice(end)}`;
}

if (require.main === module) {
  const root = packageRoot();
  const readmePath = path.join(root, 'README.md');
  const fresh = withFreshEnvTable(readFileSync(readmePath, 'utf8'), readFileSync(path.join(root, '.env_ref'), 'utf8'));
  writeFileSync(readmePath, fresh);
  process.stdout.write('README.md configuration table regenerated from .env_ref\n');
}
