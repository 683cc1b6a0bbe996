// Our block in docker-jitsi-meet's ${CONFIG}/web/custom-config.js (appended to config.js by the
// web container). Everything outside the BEGIN/END markers is the operator's and is kept as is.

export const beginMarker = '// BEGIN jitsi-saml2jwt';
export const endMarker = '// END jitsi-saml2jwt';

/** Escapes text for a JavaScript single-quoted string literal. */
export function jsSingleQuoted(text: string): string {
  const escaped = text
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
    .replace(/</g, '\\x3c'); // no "</script>" should the file ever be inlined
  return `'${escaped}'`;
}

/** What setup writes into the block. */
export interface WebClientSettings {
  tokenLogoutUrl: string;
  /** config.tokenAuthInline = true (setup --inline-login); absent otherwise, so a run without the flag removes it. */
  inlineLogin: boolean;
}

export function ourBlock(settings: WebClientSettings, eol = '\n'): string {
  return [
    `${beginMarker} (written by \`jitsi-saml2jwt setup\`; edits inside this block are replaced)`,
    `config.tokenLogoutUrl = ${jsSingleQuoted(settings.tokenLogoutUrl)};`,
    ...(settings.inlineLogin ? ['config.tokenAuthInline = true;'] : []),
    endMarker,
  ].join(eol);
}

/** The file with our block added, or replaced where it already is; null content = no file yet. */
export function withOurBlock(content: string | null, settings: WebClientSettings): string {
  const existing = content ?? '';
  const eol = existing.includes('\r\n') ? '\r\n' : '\n';
  const block = ourBlock(settings, eol);
  const begin = existing.indexOf(beginMarker);
  if (begin >= 0) {
    const endAt = existing.indexOf(endMarker, begin);
    if (endAt < 0) throw new Error(`custom-config.js has "${beginMarker}" without "${endMarker}": fix it by hand first`);
    return existing.slice(0, begin) + block + existing.slice(endAt + endMarker.length);
  }
  if (existing === '') return block + eol;
  const separator = existing.endsWith('\n') ? eol : eol + eol;
  return existing + separator + block + eol;
}
