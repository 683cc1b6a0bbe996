// Where the compose test IdP (profile test-idp) publishes its metadata and which entityID it has.
// compose-overlay/test-idp/README.md is the source of truth; the constant is the fallback used
// while that README does not state them as `METADATA_URL=...` / `SSO_URL=...` lines.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface TestIdp {
  metadataUrl: string;
  entityId: string;
  source: string; // where the values came from, for the summary
}

// The SP fetches metadata over the compose network; the entityID is the IdP's browser-facing
// base URL (TEST_IDP_BASE_URL, default https://localhost:9443) + SimpleSAMLphp's metadata path.
const metadataPath = '/simplesaml/saml2/idp/metadata.php';
export const testIdpFallback = {
  baseUrl: 'https://localhost:9443',
  metadataUrl: `https://test-idp.meet.jitsi:8443${metadataPath}`,
  entityId: `https://localhost:9443${metadataPath}`,
} as const;

/** The test IdP's values; baseUrl is TEST_IDP_BASE_URL from the .env when the operator set one. */
export function testIdp(packageRootDir: string, baseUrl?: string): TestIdp {
  const readme = path.join(packageRootDir, 'compose-overlay', 'test-idp', 'README.md');
  const fallback = (why: string): TestIdp => ({
    metadataUrl: testIdpFallback.metadataUrl,
    entityId: baseUrl ? `${baseUrl.replace(/\/+$/, '')}${metadataPath}` : testIdpFallback.entityId,
    source: `built-in default (${why})`,
  });
  let text: string;
  try {
    text = fs.readFileSync(readme, 'utf8');
  } catch {
    return fallback('compose-overlay/test-idp/README.md not found');
  }
  const metadataUrl = firstMatch(text, /\bMETADATA_URL=`?([^\s`'"]+)/);
  const entityId = firstMatch(text, /\bSSO_URL=`?([^\s`'"]+)/);
  if (!metadataUrl || !entityId) return fallback(`${readme} names no METADATA_URL= / SSO_URL=`);
  return { metadataUrl, entityId: baseUrl && entityId.startsWith(testIdpFallback.baseUrl) ? baseUrl.replace(/\/+$/, '') + entityId.slice(testIdpFallback.baseUrl.length) : entityId, source: readme };
}

function firstMatch(text: string, re: RegExp): string | undefined {
  return re.exec(text)?.[1];
}
