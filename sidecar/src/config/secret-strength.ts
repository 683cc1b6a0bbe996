// Refuses shared secrets that anyone could guess: too short, a placeholder copied from an example
// file, or too few distinct characters to be random. Anyone holding JWT_APP_SECRET can mint tokens.
// The one rule: the sidecar refuses to start with such a secret, setup replaces it, doctor flags it.

export const MIN_SECRET_LENGTH = 32;

// Lower-cased, separators removed. Placeholders from docker-jitsi-meet's env.example, the
// reference's .env_ref and common tutorials.
const PLACEHOLDERS = [
  'myjitsiappsecret',
  'myappsecret',
  'changeme',
  'changethis',
  'secret',
  'password',
  'example',
  'placeholder',
  'replaceme',
  'yoursecret',
  'jitsi',
];

/** Distinct characters below this cannot come from a random generator of 32+ characters. */
const MIN_DISTINCT_CHARACTERS = 8;

/** A one-line problem, or undefined when the secret is acceptable. */
export function secretProblem(secret: string): string | undefined {
  const normalised = secret.toLowerCase().replace(/[^a-z0-9]/g, '');
  const placeholder = PLACEHOLDERS.find((p) => normalised === p || (normalised.includes(p) && normalised.replace(p, '').length < 24));
  // docker-jitsi-meet's env.example names every placeholder my_jitsi_*, whatever follows.
  if (placeholder || /^my_jitsi/i.test(secret)) return 'is a well-known placeholder value; generate one with `openssl rand -hex 32`';
  if (secret.length < MIN_SECRET_LENGTH) {
    return `must be at least ${MIN_SECRET_LENGTH} characters (it has ${secret.length}); generate one with \`openssl rand -hex 32\``;
  }
  if (new Set(secret).size < MIN_DISTINCT_CHARACTERS) {
    return 'has too few distinct characters to be random; generate one with `openssl rand -hex 32`';
  }
  return undefined;
}
