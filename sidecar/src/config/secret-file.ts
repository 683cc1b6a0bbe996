// A secret read from a file named by <NAME>_FILE: the compose `secrets:` convention (a file under
// /run/secrets/), so that the value is not in the container's environment for `docker inspect`
// to show. One rule for every secret variable: JWT_APP_SECRET, SIDECAR_PROXY_SECRET, BACKEND_API_KEY.
import * as fs from 'node:fs';

export type SecretFileResult = { value: string } | { problem: string };

/**
 * Reads the secret at `file` for the variable `variable` (e.g. JWT_APP_SECRET_FILE). Refuses a
 * file that every user of the machine may read, and one that cannot be read; drops one trailing
 * newline (what `echo` and most editors add), and nothing else.
 */
export function readSecretFile(variable: string, file: string): SecretFileResult {
  let text: string;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return { problem: `${variable}: ${file} is not a regular file` };
    if ((stat.mode & 0o004) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
      return { problem: `${variable}: ${file} is readable by every user (mode ${mode}); make it 0400 or 0440 (chmod o-rwx)` };
    }
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    return { problem: `${variable}: cannot read ${file} (${code})` };
  }
  const value = text.replace(/\r?\n$/, '');
  if (value === '') return { problem: `${variable}: ${file} is empty` };
  // A second line break or a space would silently become part of the secret, and the other side
  // (Apache, Prosody) would not hold the same value.
  if (/[\s\p{Cc}]/u.test(value)) return { problem: `${variable}: ${file} holds a space, a line break or a control character besides the one final newline` };
  return { value };
}
