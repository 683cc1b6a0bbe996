// Checks on what an operator types or passes as flags. Each returns the normalised value or
// throws InvalidInput with a sentence that says what is wrong and what is expected.

import { isLocalOrInternalHost, normalPublicUrl, publicUrlProblem } from '../sidecar/src/config/public-url';

export class InvalidInput extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInput';
  }
}

const hostLabel = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;
const ipv4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

export function isHostName(host: string): boolean {
  if (ipv4.test(host)) return true;
  if (host.length === 0 || host.length > 253) return false;
  const labels = host.replace(/\.$/, '').split('.');
  return labels.every((l) => hostLabel.test(l)) && !/^\d+$/.test(labels[labels.length - 1] ?? '');
}

function parseUrl(what: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidInput(`${what} "${value}" is not a URL (expected e.g. https://meet.example.org)`);
  }
  if (url.username || url.password) throw new InvalidInput(`${what} must not contain a user name or password`);
  return url;
}

/** The meeting base URL, by the one PUBLIC_URL rule the sidecar and the SP image apply too. */
export function checkPublicUrl(value: string): string {
  const problem = publicUrlProblem(value.trim());
  if (problem) throw new InvalidInput(problem);
  return normalPublicUrl(value.trim());
}

/** host or host:port, as the SP's own name in host mode. */
export function checkServerName(value: string): string {
  const m = /^([^:]+)(?::(\d{1,5}))?$/.exec(value.trim());
  const host = m?.[1];
  const port = m?.[2];
  if (!host || !isHostName(host)) throw new InvalidInput(`server name "${value}" is not a legal host[:port] (e.g. login.example.org or login.example.org:8443)`);
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) throw new InvalidInput(`server name "${value}" has an invalid port`);
  return value.trim().toLowerCase();
}

/**
 * Where the SP fetches IdP metadata: https, or plain http only when the metadata is signed
 * (a signing certificate is configured) or the host is on the compose network / localhost.
 */
export function checkMetadataUrl(value: string, signed: boolean): string {
  const url = parseUrl('metadata URL', value.trim());
  if (url.protocol === 'https:') return url.href;
  if (url.protocol === 'http:' && (signed || isLocalOrInternalHost(url.hostname))) return url.href;
  throw new InvalidInput(
    `metadata URL "${value}" must be https:// (plain http is accepted only for signed federation metadata, with --metadata-signing-cert)`,
  );
}

/**
 * The base URL of an MDQ service: the SP asks `<base>entities/<url-encoded entityID>`, so it ends
 * in a slash (one is added). Plain http is fine: every answer must be signed.
 */
export function checkMdqUrl(value: string): string {
  const url = parseUrl('MDQ URL', value.trim());
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InvalidInput(`MDQ URL "${value}" must be http(s)://`);
  if (url.search || url.hash) throw new InvalidInput(`MDQ URL "${value}" is a base URL: no query or fragment`);
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

/** A SAML entityID: an absolute URI (https://... or urn:...). */
export function checkEntityId(what: string, value: string): string {
  const v = value.trim();
  if (!/^[a-z][a-z0-9+.-]*:\S+$/i.test(v) || v.length > 1024) {
    throw new InvalidInput(`${what} "${value}" is not an absolute URI (entityIDs look like https://idp.example.org/idp/shibboleth or urn:...)`);
  }
  return v;
}

/** The discovery service the browser is sent to: https only (http for localhost / test setups). */
export function checkDiscoveryUrl(value: string): string {
  const url = parseUrl('discovery URL', value.trim());
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLocalOrInternalHost(url.hostname))) {
    throw new InvalidInput(`discovery URL "${value}" must start with https://`);
  }
  return url.href;
}
