// One SP header as a clean string, or undefined.
// Node reads header bytes as latin1, while Shibboleth sends UTF-8: re-decode when the bytes are
// valid UTF-8 (so "Müller" stays "Müller"). Control characters never come from Shibboleth, so a
// value that holds one is treated as absent rather than repaired.
import type { IncomingHttpHeaders } from 'node:http';

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const NON_ASCII = /[^\u0000-\u007f]/;

export function decodeHeaderText(raw: string): string {
  if (!NON_ASCII.test(raw) || /[^\u0000-\u00ff]/.test(raw)) return raw;
  const decoded = Buffer.from(raw, 'latin1').toString('utf8');
  return decoded.includes('\ufffd') ? raw : decoded;
}

export function readHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const raw = headers[name];
  if (typeof raw !== 'string') return undefined; // absent, or repeated (an array): not from our SP
  const text = decodeHeaderText(raw);
  if (CONTROL.test(text)) return undefined;
  return text;
}
