// How the SP authenticates the IdP's metadata (its keys and scopes decide who may speak for a
// user), said the same way in setup's help, its question and its summary.

export const metadataTrustAdvice = `How should the SP authenticate your IdP's metadata? In order of preference:
  1. A signing certificate (--metadata-signing-cert, METADATA_SIGNING_CERT): the metadata is signed
     (e.g. by your federation); tampered or unsigned metadata is refused.
  2. A local metadata file (--metadata-file, METADATA_FILE; direct mode only).
  3. An https METADATA_URL: the SP checks the server's certificate against the system CAs
     (or --metadata-tls-ca, METADATA_TLS_CA, for a private CA) and its host name.
  Not authenticated: a plain http:// METADATA_URL without METADATA_SIGNING_CERT.
`;

export interface MetadataSource {
  metadataUrl?: string;
  metadataFile?: string; // path in the SP container
  signingCert?: string; // path in the SP container
  tlsCa?: string; // path in the SP container; absent: the system CAs
}

export interface MetadataTrust {
  authenticated: boolean;
  /** One sentence for setup's summary. */
  summary: string;
}

export function metadataTrust(source: MetadataSource): MetadataTrust {
  if (source.signingCert) {
    return { authenticated: true, summary: `IdP metadata: authenticated by its signature (METADATA_SIGNING_CERT=${source.signingCert}).` };
  }
  if (source.metadataFile) {
    return {
      authenticated: true,
      summary: `IdP metadata: the local file METADATA_FILE=${source.metadataFile}; it is as trustworthy as the way you keep it up to date.`,
    };
  }
  if (source.metadataUrl?.startsWith('https:')) {
    const cas = source.tlsCa ? `the CA in METADATA_TLS_CA=${source.tlsCa}` : 'the system CAs';
    return {
      authenticated: true,
      summary: `IdP metadata: authenticated by TLS only: the certificate of ${new URL(source.metadataUrl).host} must chain to ${cas} and name that host. A signing certificate (--metadata-signing-cert) is stronger.`,
    };
  }
  return {
    authenticated: false,
    summary: `IdP metadata is NOT authenticated: a plain http:// METADATA_URL without METADATA_SIGNING_CERT. Anyone on the network path can hand the SP an IdP key of their own and log in as anyone. Use --metadata-signing-cert, --metadata-file or an https URL.`,
  };
}
