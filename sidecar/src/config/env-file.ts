// The one `.env` reader, for the sidecar (readEnvironment) and for setup, doctor and keys (whose
// editor, scripts/env-file-edit.ts, extends EnvFile). The file is kept as its original lines
// (text + own line ending), so an editor can change one line and leave every other byte alone.
//
// Values are read the way docker compose reads docker-jitsi-meet's .env:
//   KEY=value            unquoted: trimmed; ` #` or `\t#` starts a comment; a backslash is literal
//   export KEY=value     `export ` is tolerated
//   KEY='literal ${X}'   single quotes: everything up to the next ' taken literally
//   KEY="a\tb \$ ${X}"   double quotes: \n \t \r \\ \" \' and \$ (a literal $) are escapes,
//                        any other backslash stays as written; then ${X} is substituted
//   ${X} ${X:-d} ${X-d} $X $$   substituted in unquoted and double-quoted values
//                        (compose-substitution.ts); X is looked up in the real environment first
//                        (the sidecar's; setup has none), then in the lines ABOVE, as compose
//                        does: a ${X} defined only further down is empty.
//   Later lines win. Refused, with the line number: an unterminated quote and a line that is not
//   KEY=value, # or blank (compose refuses both); text other than a # comment after a closing
//   quote (compose's reading of it is not one we want to guess); and a quoted value spanning
//   lines, which compose accepts but a line-by-line editor cannot keep intact.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { substituteReferences, type Lookup } from './compose-substitution';

export type { Lookup };

export class MalformedEnvFile extends Error {
  constructor(
    readonly lineNumber: number,
    readonly lineText: string,
    problem: string,
  ) {
    super(`line ${lineNumber}: ${problem}`);
    this.name = 'MalformedEnvFile';
  }
}

export type LineKind = 'blank' | 'comment' | 'assignment';

/** A written value: its text after quotes and escapes, and whether ${...} is substituted in it. */
export interface EnvValue {
  text: string;
  literal: boolean;
}

export interface EnvLine {
  text: string; // without its line ending
  eol: string; // '\n', '\r\n' or '' (only the last line may have '')
  kind: LineKind;
  key?: string; // assignments, and comments shaped like `#KEY=value`
  value?: EnvValue; // assignments
}

const ASSIGNMENT = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=(.*)$/;
const COMMENTED_ASSIGNMENT = /^[ \t]*#[ \t]*([A-Za-z_][A-Za-z0-9_]*)=/;
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", $: '$$' };

export class EnvFile {
  /** Use EnvFile.parse (or a subclass's parse); the lines must come from it. */
  constructor(
    protected readonly lines: EnvLine[],
    protected readonly eol: string,
  ) {}

  /** Parses the text; throws MalformedEnvFile naming the first line it cannot read. */
  static parse<T extends EnvFile>(this: new (lines: EnvLine[], eol: string) => T, text: string): T {
    const lines: EnvLine[] = [];
    const pieces = text.split(/(\r?\n)/);
    for (let i = 0; i < pieces.length; i += 2) {
      const lineText = pieces[i] ?? '';
      const eol = pieces[i + 1] ?? '';
      if (lineText === '' && eol === '' && i === pieces.length - 1) break; // after the final newline
      lines.push(classifyLine(lineText, eol, lines.length + 1));
    }
    return new this(lines, text.includes('\r\n') ? '\r\n' : '\n');
  }

  toString(): string {
    return this.lines.map((l) => l.text + l.eol).join('');
  }

  /** Every KEY as compose passes it on, read top to bottom; `lookup` (the real environment) wins in ${...}. */
  values(lookup: Lookup = () => undefined): Record<string, string> {
    const out: Record<string, string> = {};
    const resolveName: Lookup = (name) => lookup(name) ?? out[name];
    for (const line of this.lines) {
      if (line.kind !== 'assignment') continue;
      const value = line.value as EnvValue;
      out[line.key as string] = value.literal ? value.text : substituteReferences(value.text, resolveName);
    }
    return out;
  }

  /** The value compose passes on for KEY, or undefined when no line sets it. */
  expanded(key: string, lookup?: Lookup): string | undefined {
    return this.values(lookup)[key];
  }
}

function classifyLine(text: string, eol: string, lineNumber: number): EnvLine {
  if (text.trim() === '') return { text, eol, kind: 'blank' };
  if (text.trimStart().startsWith('#')) return { text, eol, kind: 'comment', key: COMMENTED_ASSIGNMENT.exec(text)?.[1] };
  const m = ASSIGNMENT.exec(text);
  if (!m) throw new MalformedEnvFile(lineNumber, text, `neither KEY=value, a # comment nor blank: ${JSON.stringify(text.trim().slice(0, 40))}`);
  const key = m[1] as string;
  const value = readValue(m[2] as string, (problem) => new MalformedEnvFile(lineNumber, text, `${key}: ${problem}`));
  return { text, eol, kind: 'assignment', key, value };
}

/** The text right of `=`. */
function readValue(raw: string, malformed: (problem: string) => Error): EnvValue {
  const value = raw.trim();
  const quote = value[0];
  if (quote !== '"' && quote !== "'") {
    const comment = value.search(/[ \t]#/);
    return { text: (comment >= 0 ? value.slice(0, comment) : value).trimEnd(), literal: false };
  }
  let text = '';
  let i = 1;
  for (; i < value.length && value[i] !== quote; i++) {
    const c = value[i] as string;
    if (quote === '"' && c === '\\' && i + 1 < value.length) {
      const next = value[++i] as string;
      // \$ becomes $$, which substitution turns into one literal $ (compose does the same).
      text += ESCAPES[next] ?? `\\${next}`;
    } else {
      text += c;
    }
  }
  if (i >= value.length) throw malformed(`unterminated ${quote === '"' ? 'double' : 'single'} quote (a value must close on its own line)`);
  const rest = value.slice(i + 1).trim();
  if (rest !== '' && !rest.startsWith('#')) throw malformed(`unexpected text after the closing quote: ${JSON.stringify(rest.slice(0, 20))}`);
  return { text, literal: quote === "'" };
}

/** Parses .env text into the values compose would pass on (see EnvFile.values). */
export function parseEnvFile(text: string, lookup: Lookup = () => undefined): Record<string, string> {
  return EnvFile.parse(text).values(lookup);
}

/**
 * The environment the sidecar configures itself from: `envFilePath` (must exist) or `.env` in the
 * working directory when present, overlaid by the real environment variables.
 */
export function readEnvironment(processEnv: NodeJS.ProcessEnv, envFilePath?: string): Record<string, string | undefined> {
  const path = envFilePath !== undefined ? resolve(envFilePath) : resolve('.env');
  if (envFilePath === undefined && !existsSync(path)) return { ...processEnv };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`env file ${path}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let fromFile: Record<string, string>;
  try {
    fromFile = parseEnvFile(text, (name) => processEnv[name]);
  } catch (err) {
    throw new Error(`env file ${path}: ${(err as Error).message}`);
  }
  return { ...fromFile, ...processEnv };
}
