// The SP's Apache removes every identity header a client sent and sets each one from
// Shibboleth's own variables (shib-image/rootfs/defaults/locations.conf). The sidecar believes
// exactly those headers (ATTR_HEADER_* may name no other). Both come from one list,
// sidecar/src/identity/attributes.ts: `npm run docs` rewrites the Apache block from it, and a
// unit test fails when the file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROXY_SECRET_HEADER } from '../../sidecar/src/config/load';
import { ATTRIBUTE_NAMES, SAML_ATTRIBUTES } from '../../sidecar/src/identity/attributes';
import { packageRoot } from '../package-root';

const BEGIN = '# --- identity headers: generated from sidecar/src/identity/attributes.ts by `npm run docs` ---';
const END = '# --- end of identity headers ---';

/** Shibboleth's variable for each attribute: its attribute id, or mod_shib's own for the IdP. */
const shibVariable = (name: string): string => (name === 'idp' ? 'Shib-Identity-Provider' : name);

export function renderIdentityHeaderBlock(): string {
  const headers = ATTRIBUTE_NAMES.map((name) => [SAML_ATTRIBUTES[name].header, shibVariable(name)] as const);
  return [
    // "early": before any other module runs. Names match case-insensitively, so Mail: and MAIL: go too.
    ...headers.map(([header]) => `RequestHeader unset ${header} early`),
    `RequestHeader unset ${PROXY_SECRET_HEADER} early`,
    '',
    // env= leaves a header out when the attribute is absent, so the sidecar never sees "(null)".
    ...headers.map(([header, variable]) => `RequestHeader set ${header} "%{${variable}}e" env=${variable}`),
    `RequestHeader set ${PROXY_SECRET_HEADER} "\${SIDECAR_PROXY_SECRET}"`,
  ].join('\n');
}

/** locations.conf with its generated block replaced by a fresh one. */
export function withFreshIdentityHeaders(conf: string): string {
  const start = conf.indexOf(BEGIN);
  const end = conf.indexOf(END);
  if (start < 0 || end < start) throw new Error(`locations.conf lacks the markers ${BEGIN} ... ${END}`);
  return `${conf.slice(0, start + BEGIN.length)}\n${renderIdentityHeaderBlock()}\n${conf.slice(end)}`;
}

export const LOCATIONS_CONF = 'shib-image/rootfs/defaults/locations.conf';

if (require.main === module) {
  const file = path.join(packageRoot(), LOCATIONS_CONF);
  writeFileSync(file, withFreshIdentityHeaders(readFileSync(file, 'utf8')));
  process.stdout.write(`${LOCATIONS_CONF}: identity headers regenerated from sidecar/src/identity/attributes.ts\n`);
}
