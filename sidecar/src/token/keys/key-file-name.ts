// A key file's name is the UTC second it was made: 20261201T213000Z.pem. The age of a key (when
// it may sign, when it retires) comes from the name, not from the file's mtime, which a copy or
// a restore from backup would change. `jitsi-saml2jwt keys rotate` names its files this way, and
// `keys revoke` names its records by the same kind of stamp (key-revocation.ts).
const STAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

export const KEY_FILE_NAME_EXAMPLE = '20261201T213000Z.pem';

/** Seconds since the epoch of a stamp such as 20261201T213000Z, or undefined when it is not a real UTC second. */
export function utcStampSeconds(stamp: string): number | undefined {
  const m = STAMP.exec(stamp);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  // Date.UTC rolls 20261332 over into next year: refuse what is not a real calendar time.
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || back.getUTCHours() !== h || back.getUTCMinutes() !== mi || back.getUTCSeconds() !== s) return undefined;
  return ms / 1000;
}

export function utcStamp(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/** Seconds since the epoch, or undefined when the name is not a key file's name. */
export function keyFileCreated(name: string): number | undefined {
  return name.endsWith('.pem') ? utcStampSeconds(name.slice(0, -'.pem'.length)) : undefined;
}

export function keyFileName(createdSeconds: number): string {
  return `${utcStamp(createdSeconds)}.pem`;
}
