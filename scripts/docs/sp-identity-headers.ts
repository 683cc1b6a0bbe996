// The SP's Apache removes every identity header a client sent and sets each one from
// Shibboleth's own variables (shib-image/rootfs/defaults/locations.conf). The sidecar believes
// exactly those headers (ATTR_HEADER_* may name no other). Both come from one list,
// sidecar/src/identity/attributes.ts: `npm run docs` rewrites the Apache block from it, and a
// unit test fails when the file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROXY_SECRET_HEADER } from '../../sidecar/src/config/load';
import { ATTRIBUTE_NAMES, OIDC_CLAIMS, SAML_ATTRIBUTES } from '../../sidecar/src/identity/attributes';
import { packageRoot } from '../package-root';

const BEGIN = '# --- identity headers: generated from sidecar/src/identity/attributes.ts by `npm run docs` ---';
const END = '# --- end of identity headers ---';

/** Shibboleth's variable for each attribute: its attribute id, or mod_shib's own for the IdP. */
const shibVariable = (name: string): string => (name === 'idp' ? 'Shib-Identity-Provider' : name);

export function renderIdentityHeaderBlock(): string {
  const headers = ATTRIBUTE_NAMES.map((name) => [SAML_ATTRIBUTES[name].header, shibVariable(name)] as const);
  // What Shibboleth can set: a SAML attribute or the IdP (not the OpenID Connect ones, oidc.conf).
  const fromShibboleth = ATTRIBUTE_NAMES.filter((name) => SAML_ATTRIBUTES[name].samlName !== undefined || name === 'idp');
  return [
    // "early": before any other module runs. Names match case-insensitively, so Mail: and MAIL: go too.
    ...headers.map(([header]) => `RequestHeader unset ${header} early`),
    `RequestHeader unset ${PROXY_SECRET_HEADER} early`,
    '',
    // env= leaves a header out when the attribute is absent, so the sidecar never sees "(null)".
    ...headers.filter((_, i) => fromShibboleth.includes(ATTRIBUTE_NAMES[i]!)).map(([header, variable]) => `RequestHeader set ${header} "%{${variable}}e" env=${variable}`),
    `RequestHeader set ${PROXY_SECRET_HEADER} "\${SIDECAR_PROXY_SECRET}"`,
  ].join('\n');
}

const OIDC_BEGIN = '# --- OIDC identity headers: generated from sidecar/src/identity/attributes.ts by `npm run docs` ---';
const OIDC_END = '# --- end of OIDC identity headers ---';

/** mod_auth_openidc's variable for a claim (OIDCClaimPrefix OIDC_CLAIM_ in oidc.conf). */
const claimVariable = (claim: string): string => `OIDC_CLAIM_${claim}`;

/**
 * The OpenID Connect side, set inside oidc.conf's protected prefix from the claims mod_auth_openidc
 * passes (the SAML lines above find no Shibboleth variables there, so they set nothing). Two rules:
 * oidc-sub is "<sub>@<iss>", as a provider's sub is unique only per issuer; and mail only when
 * the provider says email_verified is true (mod_auth_openidc writes a JSON true as "1").
 */
export function renderOidcHeaderBlock(): string {
  const lines = ATTRIBUTE_NAMES.flatMap((name) => {
    const claim = OIDC_CLAIMS[name];
    if (claim === undefined) return [];
    const { header } = SAML_ATTRIBUTES[name];
    const v = claimVariable(claim);
    if (name === 'oidc-sub') {
      const iss = claimVariable('iss');
      return [`RequestHeader set ${header} "%{${v}}e@%{${iss}}e" "expr=-n %{env:${v}} && -n %{env:${iss}}"`];
    }
    if (name === 'mail') {
      const verified = claimVariable('email_verified');
      return [`RequestHeader set ${header} "%{${v}}e" "expr=-n %{env:${v}} && %{env:${verified}} in {'1', 'true'}"`];
    }
    return [`RequestHeader set ${header} "%{${v}}e" env=${v}`];
  });
  return lines.map((line) => `    ${line}`).join('\n');
}

function replaceBlock(conf: string, begin: string, end: string, block: string, file: string): string {
  const start = conf.indexOf(begin);
  const stop = conf.indexOf(end);
  if (start < 0 || stop < start) throw new Error(`${file} lacks the markers ${begin} ... ${end}`);
  return `${conf.slice(0, start + begin.length)}\n${block}\n${conf.slice(stop)}`;
}

/** locations.conf with its generated block replaced by a fresh one. */
export function withFreshIdentityHeaders(conf: string): string {
  return replaceBlock(conf, BEGIN, END, renderIdentityHeaderBlock(), 'locations.conf');
}

/** oidc.conf with its generated block replaced by a fresh one. */
export function withFreshOidcHeaders(conf: string): string {
  return replaceBlock(conf, OIDC_BEGIN, OIDC_END, renderOidcHeaderBlock(), 'oidc.conf');
}

export const LOCATIONS_CONF = 'shib-image/rootfs/defaults/locations.conf';
export const OIDC_CONF = 'shib-image/rootfs/defaults/oidc.conf';

if (require.main === module) {
  for (const [relative, fresh] of [[LOCATIONS_CONF, withFreshIdentityHeaders], [OIDC_CONF, withFreshOidcHeaders]] as const) {
    const file = path.join(packageRoot(), relative);
    writeFileSync(file, fresh(readFileSync(file, 'utf8')));
    process.stdout.write(`${relative}: identity headers regenerated from sidecar/src/identity/attributes.ts\n`);
  }
}
