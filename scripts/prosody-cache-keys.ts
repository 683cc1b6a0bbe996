// Prosody's cache_keys_url, pointed at our JWK set, so that a key we stop publishing also leaves
// Prosody without a restart (token/util.lib.lua; JITSI.md "RS256 and the key server").
// docker-jitsi-meet has no variable for it. XMPP_CONFIGURATION is split at commas, and each piece
// becomes one line of the main VirtualHost, as written (prosody/rootfs/defaults/conf.d/
// jitsi-meet.cfg.lua: `join "\n    " (splitList "," .Env.XMPP_CONFIGURATION | compact)`). A piece
// is therefore Lua: the URL needs its quotes. The operator's own pieces are kept byte for byte.
import { InvalidInput } from './input-checks';

/** Where Prosody reaches the sidecar's backend listener: over meet.jitsi, by service alias. */
export const sidecarOnMeetNetwork = 'http://saml2jwt.meet.jitsi:8081';
export const jwksUrl = `${sidecarOnMeetNetwork}/.well-known/jwks.json`;
/** Our piece of XMPP_CONFIGURATION. */
export const cacheKeysEntry = `cache_keys_url = "${jwksUrl}"`;

const SETTING = /^\s*cache_keys_url\s*=\s*(.*?)\s*$/;
const QUOTED = /^(["'])(.*)\1$/;

interface CacheKeysPiece {
  /** The URL, without its quotes. */
  url: string;
  /** false: Lua would not parse the piece (no quotes). */
  quoted: boolean;
}

function pieces(value: string | undefined): string[] {
  return value === undefined || value === '' ? [] : value.split(',');
}

function cacheKeysPiece(piece: string): CacheKeysPiece | undefined {
  const setting = SETTING.exec(piece)?.[1];
  if (setting === undefined) return undefined;
  const quoted = QUOTED.exec(setting);
  return { url: quoted ? (quoted[2] as string) : setting, quoted: quoted !== null };
}

/** The cache_keys_url an XMPP_CONFIGURATION value gives Prosody (the last one wins in Lua), or undefined. */
export function cacheKeysUrlIn(value: string | undefined): string | undefined {
  const urls = pieces(value).map(cacheKeysPiece).filter((p): p is CacheKeysPiece => p !== undefined);
  return urls[urls.length - 1]?.url;
}

/**
 * XMPP_CONFIGURATION with our cache_keys_url added after the operator's pieces. Ours already
 * there (quoted as Lua needs) is left as written. Refuses (InvalidInput) a cache_keys_url of the
 * operator's: Prosody reads one document, and which one to drop is theirs to say.
 */
export function withOurCacheKeysUrl(value: string | undefined): string {
  const kept: string[] = [];
  let ours = false;
  for (const piece of pieces(value)) {
    const setting = cacheKeysPiece(piece);
    if (setting === undefined) kept.push(piece);
    else if (setting.url !== jwksUrl) {
      throw new InvalidInput(`XMPP_CONFIGURATION in .env already gives Prosody cache_keys_url ${JSON.stringify(setting.url)}; with --signing rs256 Prosody must read ours (${jwksUrl}): remove that piece and run setup again`);
    } else if (!ours && setting.quoted) {
      kept.push(piece);
      ours = true;
    }
    // else: our URL without the quotes Lua needs (or twice): dropped, and written properly below
  }
  return [...kept, ...(ours ? [] : [cacheKeysEntry])].join(',');
}

/** XMPP_CONFIGURATION without our cache_keys_url (HS256 has no keys to fetch); the rest as written. */
export function withoutOurCacheKeysUrl(value: string | undefined): string {
  return pieces(value)
    .filter((piece) => cacheKeysPiece(piece)?.url !== jwksUrl)
    .join(',');
}
