// Other spellings of one room name, as an attacker would try them: each character as it is,
// percent-encoded (either hex case), full-width (NFKC maps it back) or upper-cased. The client's
// getBackendSafeRoomName turns every one of them into the same MUC room.

/** `choices[i] % 5` picks the spelling of character i: as is, %xx, %XX, full-width, upper case. */
export function respellRoom(name: string, choices: readonly number[]): string {
  return [...name]
    .map((ch, i) => {
      const code = ch.charCodeAt(0);
      switch ((choices[i] ?? 0) % 5) {
        case 1:
          return `%${code.toString(16).padStart(2, '0')}`;
        case 2:
          return `%${code.toString(16).padStart(2, '0').toUpperCase()}`;
        case 3:
          return code >= 0x21 && code <= 0x7e ? String.fromCharCode(code + 0xfee0) : ch;
        case 4:
          return ch.toUpperCase();
        default:
          return ch;
      }
    })
    .join('');
}
