// A docker compose .env file, edited without losing a byte of what we do not own.
// The file is kept as its original lines (text + own line ending); an edit replaces one line
// in place or appends lines, so every other line stays byte-identical, and so do the file's
// line-ending style and its final-newline state.
import { substituteReferences } from '../sidecar/src/config/compose-substitution';

export class MalformedEnvFile extends Error {
  constructor(
    readonly lineNumber: number,
    readonly lineText: string,
  ) {
    super(`line ${lineNumber} is neither KEY=value, a # comment nor blank: ${JSON.stringify(lineText)}`);
    this.name = 'MalformedEnvFile';
  }
}

type LineKind = 'blank' | 'comment' | 'assignment';

interface EnvLine {
  text: string; // without its line ending
  eol: string; // '\n', '\r\n' or '' (only the last line may have '')
  kind: LineKind;
  key?: string; // assignments, and comments shaped like `#KEY=value`
}

const assignment = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=(.*)$/;
const commentedAssignment = /^[ \t]*#[ \t]*([A-Za-z_][A-Za-z0-9_]*)=/;

export const ownHeader = '# jitsi-saml2jwt';

export class EnvFile {
  private constructor(
    private readonly lines: EnvLine[],
    private readonly eol: string,
  ) {}

  /** Parses the text; throws MalformedEnvFile naming the first line it cannot classify. */
  static parse(text: string): EnvFile {
    const lines: EnvLine[] = [];
    const pieces = text.split(/(\r?\n)/);
    for (let i = 0; i < pieces.length; i += 2) {
      const lineText = pieces[i] ?? '';
      const eol = pieces[i + 1] ?? '';
      if (lineText === '' && eol === '' && i === pieces.length - 1) break; // after the final newline
      lines.push(classify(lineText, eol, lines.length + 1));
    }
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    return new EnvFile(lines, eol);
  }

  toString(): string {
    return this.lines.map((l) => l.text + l.eol).join('');
  }

  /** The value of KEY as written (quotes removed, not interpolated): the last uncommented line. */
  get(key: string): string | undefined {
    const line = this.lastAssignment(key);
    return line === undefined ? undefined : parseValue(assignmentValue(line.text)).value;
  }

  /**
   * The value compose passes on for KEY: ${VAR}, ${VAR:-default}, ${VAR-default}, $VAR taken from
   * this file, $$ = $; single-quoted values are literal.
   */
  expanded(key: string): string | undefined {
    const line = this.lastAssignment(key);
    return line === undefined ? undefined : this.expandLine(line, 0);
  }

  private expandLine(line: EnvLine, depth: number): string {
    const { value, literal } = parseValue(assignmentValue(line.text));
    return literal ? value : this.expand(value, depth);
  }

  expand(value: string, depth = 0): string {
    if (depth > 10) return value; // a reference cycle: stop rather than loop
    return substituteReferences(value, (name) => {
      const line = this.lastAssignment(name);
      return line === undefined ? undefined : this.expandLine(line, depth + 1);
    });
  }

  /**
   * Makes compose see KEY=value. Already so (even through ${...} or quotes): the line is left alone. Otherwise, in this order:
   * the last uncommented KEY line is rewritten; or the first `#KEY=` line becomes `KEY=value`;
   * or the line is appended at the end under our one header comment.
   * Returns whether the text changed.
   */
  set(key: string, value: string): boolean {
    const existing = this.lastAssignment(key);
    if (existing) {
      if (this.expandLine(existing, 0) === value) return false;
      const prefix = existing.text.slice(0, existing.text.indexOf('=') + 1);
      existing.text = prefix + formatValue(value);
      return true;
    }
    const commented = this.lines.find((l) => l.kind === 'comment' && l.key === key);
    if (commented) {
      commented.kind = 'assignment';
      commented.text = `${key}=${formatValue(value)}`;
      return true;
    }
    this.append(`${key}=${formatValue(value)}`, key);
    return true;
  }

  private lastAssignment(key: string): EnvLine | undefined {
    for (let i = this.lines.length - 1; i >= 0; i--) {
      const line = this.lines[i] as EnvLine;
      if (line.kind === 'assignment' && line.key === key) return line;
    }
    return undefined;
  }

  // New keys go after our header's block (its contiguous non-blank lines) or, the first time,
  // at the end under a new header. The file's final-newline state is kept.
  private append(text: string, key: string): void {
    const finalNewline = this.lines.length === 0 || (this.lines[this.lines.length - 1] as EnvLine).eol !== '';
    const headerAt = this.lines.findIndex((l) => l.text === ownHeader);
    const newLine: EnvLine = { text, eol: this.eol, kind: 'assignment', key };
    if (headerAt >= 0) {
      let end = headerAt + 1;
      while (end < this.lines.length && (this.lines[end] as EnvLine).kind !== 'blank') end++;
      this.lines.splice(end, 0, newLine);
    } else {
      const added: EnvLine[] = [];
      const last = this.lines[this.lines.length - 1];
      if (last && last.kind !== 'blank') added.push({ text: '', eol: this.eol, kind: 'blank' });
      added.push({ text: ownHeader, eol: this.eol, kind: 'comment' }, newLine);
      this.lines.push(...added);
    }
    this.restoreFinalNewline(finalNewline);
  }

  private restoreFinalNewline(finalNewline: boolean): void {
    this.lines.forEach((l, i) => {
      if (i < this.lines.length - 1 && l.eol === '') l.eol = this.eol;
    });
    const last = this.lines[this.lines.length - 1];
    if (last) last.eol = finalNewline ? last.eol || this.eol : '';
  }
}

function classify(text: string, eol: string, lineNumber: number): EnvLine {
  if (text.trim() === '') return { text, eol, kind: 'blank' };
  if (text.trimStart().startsWith('#')) {
    const m = commentedAssignment.exec(text);
    return { text, eol, kind: 'comment', key: m?.[1] };
  }
  const m = assignment.exec(text);
  if (!m) throw new MalformedEnvFile(lineNumber, text);
  return { text, eol, kind: 'assignment', key: m[1] };
}

function assignmentValue(text: string): string {
  return text.slice(text.indexOf('=') + 1);
}

// Compose's dotenv rules, the part that matters here: quotes, and ` #` comments after unquoted values.
function parseValue(raw: string): { value: string; literal: boolean } {
  const value = raw.trim();
  if (value.startsWith("'")) {
    const end = value.indexOf("'", 1);
    return { value: end > 0 ? value.slice(1, end) : value.slice(1), literal: true };
  }
  if (value.startsWith('"')) {
    let out = '';
    for (let i = 1; i < value.length; i++) {
      const c = value[i] as string;
      if (c === '"') break;
      if (c === '\\' && i + 1 < value.length) {
        const next = value[++i] as string;
        out += next === 'n' ? '\n' : next === 't' ? '\t' : next === 'r' ? '\r' : next;
      } else out += c;
    }
    return { value: out, literal: false };
  }
  const comment = value.search(/[ \t]#/);
  return { value: (comment >= 0 ? value.slice(0, comment) : value).trim(), literal: false };
}

// Plain when safe; otherwise single quotes (compose does not interpolate inside them).
function formatValue(value: string): string {
  if (/^[A-Za-z0-9_.,:/?&={}@%+~\-]*$/.test(value)) return value;
  if (!/['\n\r]/.test(value)) return `'${value}'`;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\$/g, '$$$$')}"`;
}
