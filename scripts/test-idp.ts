// Where the compose test IdP (profile test-idp) publishes its metadata and which entityID it has.
// These match compose-overlay/saml2jwt.yml's defaults; a unit test checks that
// compose-overlay/test-idp/README.md states the same values.

export interface TestIdp {
  metadataUrl: string;
  entityId: string;
  /** METADATA_TLS_CA: the test IdP's own CA, which issued its TLS certificate. */
  tlsCa: string;
}

const metadataPath = '/simplesaml/saml2/idp/metadata.php';

export const testIdpDefaults = {
  /** TEST_IDP_BASE_URL: the IdP as browsers reach it; its entityID derives from it. */
  baseUrl: 'https://localhost:9443',
  /** The SP fetches metadata over the compose network. */
  metadataUrl: `https://test-idp.meet.jitsi:8443${metadataPath}`,
  /** The overlay mounts ${CONFIG}/saml2jwt/test-idp-ca here in the SP; the test IdP writes ca-cert.pem there. */
  tlsCa: '/etc/shibboleth/test-idp-ca/ca-cert.pem',
} as const;

/** The test IdP's values; baseUrl is TEST_IDP_BASE_URL from the .env when the operator set one. */
export function testIdp(baseUrl: string = testIdpDefaults.baseUrl): TestIdp {
  return { metadataUrl: testIdpDefaults.metadataUrl, entityId: `${baseUrl.replace(/\/+$/, '')}${metadataPath}`, tlsCa: testIdpDefaults.tlsCa };
}
