// A docker compose .env file, edited without losing a byte of what we do not own. Reading is the
// sidecar's own reader (sidecar/src/config/env-file.ts: one rule for both); this adds the edits.
// An edit replaces one line in place or appends lines, so every other line stays byte-identical,
// and so do the file's line-ending style and its final-newline state.
import { EnvFile, type EnvLine } from '../sidecar/src/config/env-file';

export const ownHeader = '# jitsi-saml2jwt';

export class EditableEnvFile extends EnvFile {
  /**
   * Makes compose see KEY=value. Already so (even through ${...} or quotes): the line is left alone. Otherwise, in this order:
   * the last uncommented KEY line is rewritten; or the first `#KEY=` line becomes `KEY=value`;
   * or the line is appended at the end under our one header comment.
   * Returns whether the text changed.
   */
  set(key: string, value: string): boolean {
    const existing = this.lastAssignment(key);
    const written = { text: formatValue(value), value: { text: value, literal: true } };
    if (existing) {
      if (this.expanded(key) === value) return false;
      existing.text = existing.text.slice(0, existing.text.indexOf('=') + 1) + written.text;
      existing.value = written.value;
      return true;
    }
    const commented = this.lines.find((l) => l.kind === 'comment' && l.key === key);
    if (commented) {
      Object.assign(commented, { kind: 'assignment', text: `${key}=${written.text}`, value: written.value });
      return true;
    }
    this.append({ text: `${key}=${written.text}`, eol: this.eol, kind: 'assignment', key, value: written.value });
    return true;
  }

  /**
   * Turns every KEY= line into a comment, `#<the line as it was> # <note>`, so that compose no
   * longer passes KEY on and uncomment() can bring the very same line back. Returns whether the
   * text changed.
   */
  commentOut(key: string, note: string): boolean {
    let changed = false;
    for (const line of this.lines) {
      if (line.kind !== 'assignment' || line.key !== key) continue;
      Object.assign(line, { kind: 'comment', text: `#${line.text} # ${note}`, value: undefined });
      changed = true;
    }
    return changed;
  }

  /** Brings back the line commentOut(KEY, note) made, unless KEY is set again meanwhile. Returns whether the text changed. */
  uncomment(key: string, note: string): boolean {
    const suffix = ` # ${note}`;
    const line = this.lines.find((l) => l.kind === 'comment' && l.key === key && l.text.startsWith('#') && l.text.endsWith(suffix));
    if (!line || this.lastAssignment(key)) return false;
    const restored = EditableEnvFile.parse(line.text.slice(1, -suffix.length)).lines[0] as EnvLine;
    Object.assign(line, { ...restored, eol: line.eol });
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
  private append(newLine: EnvLine): void {
    const finalNewline = this.lines.length === 0 || (this.lines[this.lines.length - 1] as EnvLine).eol !== '';
    const headerAt = this.lines.findIndex((l) => l.text === ownHeader);
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

// Plain when safe; otherwise single quotes (compose does not interpolate inside them); double
// quotes with escapes only for a value holding a ' or a line break.
function formatValue(value: string): string {
  if (/^[A-Za-z0-9_.,:/?&={}@%+~\-]*$/.test(value)) return value;
  if (!/['\n\r]/.test(value)) return `'${value}'`;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\$/g, '\\$')}"`;
}
