// doctor: the SP metadata setup wrote for the federation (--sp-info) is what the SP serves, and
// it lists the certificate shibd signs and decrypts with: what the registrar published then
// matches the SP that answers.
import type { CheckResult, ProbeResult } from './doctor-checks';

/** The certificate shibd uses (the key folder's signing certificate), read inside saml-sp. */
export const spCertProbe: readonly string[] = ['cat', '/etc/shibboleth/keys/sp-cert.pem'];

const certificateBody = (pem: string): string => pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
const documentCertificates = (xml: string): string[] => [...xml.matchAll(/<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/g)].map((m) => (m[1] as string).replace(/\s+/g, ''));

/** file: ${CONFIG}/saml2jwt/sp-metadata.xml as text, undefined when setup never wrote one. */
export function spMetadataChecks(file: { path: string; text: string } | undefined, served: ProbeResult | undefined, certificate: ProbeResult | undefined): CheckResult[] {
  if (!file) return [];
  const what = `saml-sp serves the SP metadata setup wrote (${file.path})`;
  if (!served) return [{ ok: false, what, fix: 'saml-sp is not running: start it, then run doctor again' }];
  const results: CheckResult[] = [
    served.exitCode === 0 && served.output === file.text
      ? { ok: true, what }
      : {
          ok: false,
          what: `saml-sp serves another document than ${file.path} at /saml2jwt/Shibboleth.sso/Metadata: the federation may fetch something other than what you registered`,
          fix: 'recreate saml-sp (it serves the copy in its key folder, read when it starts): docker compose … up -d --force-recreate saml-sp; run setup again if the copy is stale',
        },
  ];
  if (certificate?.exitCode === 0) {
    const inUse = certificateBody(certificate.output);
    results.push(
      documentCertificates(file.text).includes(inUse)
        ? { ok: true, what: 'the SP metadata lists the certificate shibd uses (sp-cert.pem)' }
        : { ok: false, what: "the SP metadata does not list the certificate shibd uses (sp-cert.pem): IdPs would encrypt for a key the SP does not hold", fix: 'run jitsi-saml2jwt setup <dir> again (it writes the metadata from the current certificates), upload it to the registrar, and recreate saml-sp' },
    );
  }
  return results;
}
