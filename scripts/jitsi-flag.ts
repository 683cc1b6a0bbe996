// How docker-jitsi-meet's templates read an on/off variable (ENABLE_GUESTS, ENABLE_AUTO_OWNER,
// WAIT_FOR_HOST_DISABLE_AUTO_OWNERS, ...): tpl's toBool (jitsi/tpl func.go), strconv.ParseBool
// after removing quotes. It is narrower than the sidecar's own rule (config/boolean.ts): "yes" or
// "on" make tpl panic, so the container's configuration stops.

const TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False'];

/** true, false, or undefined when Jitsi's templates cannot read the value. */
export function jitsiFlag(value: string): boolean | undefined {
  const v = value.replace(/["']/g, '');
  if (TRUE.includes(v)) return true;
  if (FALSE.includes(v)) return false;
  return undefined;
}
