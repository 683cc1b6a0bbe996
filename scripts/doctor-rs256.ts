// doctor in RS256 mode (JWT_SIGNING=RS256 in the sidecar): Prosody must hold no shared secret,
// verify RS256, fetch every published key from the sidecar's key server, and read the JWK set
// (cache_keys_url) listing exactly the published kids, as it would, from inside the prosody
// container; no revoked kid may be published. Pure functions over inspect data and probe output.
import { createHash, createPublicKey } from 'node:crypto';
import { keyIdOf } from '../sidecar/src/token/keys/key-id';
import { check, type CheckResult, type ProbeResult, type ServiceContainer } from './doctor-checks';
import { cacheKeysEntry, cacheKeysUrlIn, jwksUrl } from './prosody-cache-keys';
import { keyServerUrl } from './setup/signing';

const fixSetup = 'run `jitsi-saml2jwt setup <dir> --signing rs256` (it writes the .env), then recreate prosody';

/** From prosody's environment: no app secret, RS256 expected, a key server set, the JWK set read. */
export function rs256ProsodyChecks(prosody: ServiceContainer): CheckResult[] {
  const signType = prosody.env.get('JWT_SIGN_TYPE') ?? '';
  const keyServer = prosody.env.get('JWT_ASAP_KEYSERVER') ?? '';
  const cacheKeysUrl = cacheKeysUrlIn(prosody.env.get('XMPP_CONFIGURATION'));
  // Prosody appends `/<hex>.pem` (util.paths.join joins with '/'), so a trailing slash asks for
  // /asap//<hex>.pem, which our key server refuses: a key has exactly one spelling (key-server.ts).
  const trailingSlash = keyServer.endsWith('/');
  return [
    check(
      (prosody.env.get('JWT_APP_SECRET') ?? '') === '',
      'prosody holds no JWT_APP_SECRET (RS256: no shared secret)',
      `docker-jitsi-meet gives Prosody app_secret whenever JWT_APP_SECRET is set, and anyone who holds it can make tokens Prosody accepts: comment it out in .env; ${fixSetup}`,
    ),
    check(signType === 'RS256', `prosody verifies RS256 tokens (JWT_SIGN_TYPE=${signType || 'unset'}), as saml2jwt signs them`, `set JWT_SIGN_TYPE=RS256 in .env; ${fixSetup}`),
    check(
      keyServer !== '' && !trailingSlash,
      `prosody fetches public keys from a key server (JWT_ASAP_KEYSERVER=${keyServer || 'unset'}${trailingSlash ? ', which ends in a slash' : ''})`,
      trailingSlash
        ? `remove the trailing slash: Prosody adds "/<hex>.pem" itself, so it would ask for ${keyServer}/<hex>.pem, which the key server does not serve. Set JWT_ASAP_KEYSERVER=${keyServerUrl} in .env; ${fixSetup}`
        : `set JWT_ASAP_KEYSERVER=${keyServerUrl} in .env; ${fixSetup}`,
    ),
    check(
      cacheKeysUrl !== undefined,
      `prosody reads the JWK set of the published keys (cache_keys_url=${cacheKeysUrl ?? 'unset'} in XMPP_CONFIGURATION), so a revoked key leaves it without a restart`,
      `without it, a key Prosody fetched stays until Prosody restarts: add ${cacheKeysEntry} to XMPP_CONFIGURATION in .env; ${fixSetup}`,
    ),
  ];
}

/** The kids of a JWK set (probe output), or why there are none. */
function jwksKids(probe: ProbeResult, source: string): { kids: string[] } | { problem: string } {
  if (probe.exitCode !== 0) return { problem: `${source} did not answer (${probe.exitCode === null ? 'timed out' : probe.output.trim().split('\n')[0] || `exit ${probe.exitCode}`})` };
  try {
    const body = JSON.parse(probe.output) as { keys?: { kid?: unknown }[] };
    return { kids: (body.keys ?? []).map((k) => k.kid).filter((k): k is string => typeof k === 'string') };
  } catch {
    return { problem: `${source} is not JSON` };
  }
}

/** Inside the sidecar: the key ids it publishes. */
export const jwksProbe = [
  'node',
  '-e',
  "fetch('http://127.0.0.1:8081/.well-known/jwks.json').then(async r=>{console.log(await r.text());process.exit(r.ok?0:1)},e=>{console.log(String(e));process.exit(1)})",
];

export function publishedKids(probe: ProbeResult | undefined): { kids: string[] } | { problem: string } {
  if (!probe) return { problem: 'saml2jwt is not running' };
  const read = jwksKids(probe, "saml2jwt's /.well-known/jwks.json");
  return 'kids' in read && read.kids.length === 0 ? { problem: 'saml2jwt publishes no key' } : read;
}

/** By the key folder's revoked/ records: saml2jwt must publish none of them. */
export function revokedKidsCheck(kids: ReturnType<typeof publishedKids>, revokedKids: readonly string[]): CheckResult[] {
  if ('problem' in kids || revokedKids.length === 0) return [];
  const still = kids.kids.filter((kid) => revokedKids.includes(kid));
  return [
    check(
      still.length === 0,
      `saml2jwt publishes none of the ${revokedKids.length} revoked kid(s)${still.length > 0 ? ` (still published: ${still.join(', ')})` : ''}`,
      'every replica re-reads the key folder within 10 s: is ${CONFIG}/saml2jwt/jwt-keys mounted (saml2jwt-rs256.yml)? see `docker logs` of the saml2jwt containers',
    ),
  ];
}

/** Prosody's own request for its cache_keys_url, inside the prosody container. */
export function cacheKeysProbe(url: string): string[] {
  return ['curl', '-fsS', '--max-time', '5', url];
}

/**
 * The JWK set prosody itself fetches at its cache_keys_url must list exactly the kids saml2jwt
 * publishes: a missing kid is answered from asap_key_server (and then kept until a restart), an
 * extra one is a kid we no longer vouch for. Nothing when there is no list or no cache_keys_url
 * (the checks above already fail).
 */
export async function prosodyJwksChecks(
  prosody: ServiceContainer | undefined,
  kids: ReturnType<typeof publishedKids>,
  run: (container: ServiceContainer, cmd: string[]) => Promise<ProbeResult>,
): Promise<CheckResult[]> {
  const url = cacheKeysUrlIn(prosody?.env.get('XMPP_CONFIGURATION'));
  if ('problem' in kids || !prosody || url === undefined) return [];
  const what = `the JWK set prosody fetches (cache_keys_url) lists exactly the ${kids.kids.length} kid(s) saml2jwt publishes`;
  const fix = `cache_keys_url must be ${jwksUrl}, reached over meet.jitsi: ${fixSetup}`;
  if (prosody.status !== 'running') return [check(false, what, `prosody is not running. ${fix}`)];
  const fetched = jwksKids(await run(prosody, cacheKeysProbe(url)), url);
  if ('problem' in fetched) return [check(false, `${what} (${fetched.problem})`, fix)];
  const missing = kids.kids.filter((kid) => !fetched.kids.includes(kid));
  const extra = fetched.kids.filter((kid) => !kids.kids.includes(kid));
  const differences = [...(missing.length > 0 ? [`missing: ${missing.join(', ')}`] : []), ...(extra.length > 0 ? [`not published: ${extra.join(', ')}`] : [])];
  return [check(differences.length === 0, differences.length === 0 ? what : `${what} (${differences.join('; ')})`, fix)];
}

/** Prosody's own request: GET path.join(asap_key_server, hex(sha256(kid)) .. '.pem'). */
export function asapProbe(keyServer: string, kid: string): string[] {
  return ['curl', '-fsS', '--max-time', '5', `${keyServer}/${createHash('sha256').update(kid, 'utf8').digest('hex')}.pem`];
}

/** The answer must be a PEM public key whose own kid is the one asked for. */
export function keyServerCheck(kid: string, probe: ProbeResult | undefined): CheckResult {
  const what = `prosody gets the public key of kid ${kid} from JWT_ASAP_KEYSERVER`;
  const fix = `prosody reaches the sidecar over meet.jitsi: start it with -f saml2jwt-rs256.yml, and check JWT_ASAP_KEYSERVER=${keyServerUrl}`;
  if (!probe) return check(false, what, `prosody is not running. ${fix}`);
  if (probe.exitCode !== 0) return check(false, `${what} (${probe.exitCode === null ? 'timed out' : probe.output.trim().split('\n')[0] || `exit ${probe.exitCode}`})`, fix);
  let served: string | undefined;
  try {
    served = keyIdOf(createPublicKey({ key: probe.output, format: 'pem' }));
  } catch {
    return check(false, `${what} (the answer is not a PEM public key)`, fix);
  }
  return check(served === kid, what, `the key server answered with the key of kid ${served}: another service answers at that address. ${fix}`);
}

/**
 * Every published kid fetched from inside prosody; one failure when the list cannot be had.
 * `signingKid` (from the key folder on this machine, as `keys list` sees it) must be among them.
 */
export async function keyServerChecks(
  prosody: ServiceContainer | undefined,
  kids: ReturnType<typeof publishedKids>,
  run: (container: ServiceContainer, cmd: string[]) => Promise<ProbeResult>,
  signingKid?: string,
): Promise<CheckResult[]> {
  if ('problem' in kids) return [check(false, 'saml2jwt publishes its RS256 keys (/.well-known/jwks.json)', `${kids.problem}; see \`docker logs\` of the saml2jwt container`)];
  const results: CheckResult[] = [];
  if (signingKid !== undefined && !kids.kids.includes(signingKid)) {
    results.push(check(false, `saml2jwt publishes the signing key (kid ${signingKid}, by the key folder)`, 'the sidecar has not read the key folder: is ${CONFIG}/saml2jwt/jwt-keys mounted (saml2jwt-rs256.yml)? see `docker logs` of the saml2jwt container'));
  }
  const keyServer = prosody?.env.get('JWT_ASAP_KEYSERVER') ?? '';
  for (const kid of kids.kids) {
    const probe = prosody?.status === 'running' && keyServer !== '' ? await run(prosody, asapProbe(keyServer, kid)) : undefined;
    const result = keyServerCheck(kid, probe);
    results.push(kid === signingKid ? { ...result, what: result.what.replace(`kid ${kid}`, `kid ${kid} (the signing key)`) } : result);
  }
  return results;
}
