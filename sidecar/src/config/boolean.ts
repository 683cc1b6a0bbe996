// The one boolean rule for configuration values: the sidecar's variables, the .env flags setup
// reads, and the Jitsi variables doctor inspects (docker-jitsi-meet's templates take on/off too).

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];

/** Describes the accepted spellings, for error messages. */
export const BOOLEAN_SPELLINGS = 'true or false (also 1/0, yes/no, on/off)';

/** true, false, or undefined when the text is neither (case-insensitive). */
export function parseBoolean(text: string): boolean | undefined {
  const lower = text.trim().toLowerCase();
  if (TRUE.includes(lower)) return true;
  if (FALSE.includes(lower)) return false;
  return undefined;
}
