// The MUC room the Jitsi client really joins. jitsi-meet's getBackendSafeRoomName
// (react/features/base/util/uri.ts, see /work/shared/JITSI.md "Which room name a token must
// carry") turns the room as typed into this form, and Prosody compares the token's lower-cased
// `room` claim with it as a plain string. A claim in any other form locks the user out.

/** decodeURIComponent, or the name itself when it is not valid percent-encoding (`100%`). */
export function decodedRoomName(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/** decode, NFKC, lower-case: the client's getNormalizedRoomName. */
export function normalizedRoomName(name: string): string {
  return decodedRoomName(name).normalize('NFKC').toLowerCase();
}

/** The second half of getBackendSafeRoomName, for a name already normalised. */
export function backendSafeFormOf(normalized: string): string {
  return encodeURIComponent(normalized).toLowerCase();
}

/** The client's getBackendSafeRoomName: `Réunion équipe` → `r%c3%a9union%20%c3%a9quipe`. */
export function backendSafeRoomName(name: string): string {
  return backendSafeFormOf(normalizedRoomName(name));
}

/** True when `room` is already in the form the client joins (tokens of older versions may not be). */
export function isBackendSafeRoomName(room: string): boolean {
  try {
    return backendSafeRoomName(room) === room;
  } catch {
    return false; // a lone surrogate cannot be encoded: no client joins such a room
  }
}
