// The optional `.env` file, read the way docker compose reads it, so one file serves both
// docker-jitsi-meet and a sidecar started by hand. Real environment variables win over the file.
//
//   KEY=value            # comment after an unquoted value (needs a space before the #)
//   export KEY=value     # `export ` is tolerated
//   KEY="a \"b\" ${X}"   # double quotes: \" \\ \n escapes and ${X} / ${X:-default} / $X / $$ substitution
//   KEY='literal ${X}'   # single quotes: taken literally
//   KEY=${HTTPS_PORT}    # unquoted values are substituted too, as compose does
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { substituteReferences as substitute, type Lookup } from './compose-substitution';

const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/;

function unescapeDoubleQuoted(body: string): string {
  return body.replace(/\\(["\\n$])/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

/**
 * Parses .env text. `lookup` resolves ${NAME} references not defined earlier in the file
 * (readEnvironment passes the real environment). Throws an Error naming the line on bad input.
 */
export function parseEnvFile(text: string, lookup: Lookup = () => undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const resolveName: Lookup = (name) => lookup(name) ?? out[name];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const m = LINE.exec(line);
    if (!m) throw new Error(`line ${index + 1}: expected KEY=value, got "${trimmed.slice(0, 40)}"`);
    const key = m[1] as string;
    const raw = m[2] as string;
    const quote = raw[0];
    if (quote === '"' || quote === "'") {
      const close = findClosingQuote(raw, quote);
      if (close < 0) throw new Error(`line ${index + 1}: ${key}: unterminated ${quote === '"' ? 'double' : 'single'} quote`);
      const rest = raw.slice(close + 1).trim();
      if (rest !== '' && !rest.startsWith('#')) throw new Error(`line ${index + 1}: ${key}: unexpected text after the closing quote`);
      const body = raw.slice(1, close);
      out[key] = quote === "'" ? body : substitute(unescapeDoubleQuoted(body), resolveName);
      return;
    }
    const value = raw.replace(/\s+#.*$/, '');
    out[key] = substitute(value, resolveName);
  });
  return out;
}

function findClosingQuote(raw: string, quote: string): number {
  for (let i = 1; i < raw.length; i++) {
    if (quote === '"' && raw[i] === '\\') {
      i++;
      continue;
    }
    if (raw[i] === quote) return i;
  }
  return -1;
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
