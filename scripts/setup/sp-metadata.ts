// --sp-info: the SP metadata a federation registrar accepts (scripts/sp-metadata/), written to
// ${CONFIG}/saml2jwt/sp-metadata.xml for the operator to upload, and into the SP's key folder,
// from where the SP serves the same document at /saml2jwt/Shibboleth.sso/Metadata in place of
// Shibboleth's generated one (for testing only: shared/FEDERATION.md). The sp-info file is kept
// beside it, so a later run (a new certificate, another public URL) writes it again unasked.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseSpInfoYaml, readSpInfo } from '../sp-metadata/sp-info';
import { spMetadataXml } from '../sp-metadata/sp-metadata-document';
import type { SetupFeature } from './draft';

export const spMetadataFile = 'sp-metadata.xml';
export const spInfoCopy = 'sp-info.yml';

export const spMetadata: SetupFeature = {
  name: 'SP metadata for the federation',
  flags: ['--sp-info'],
  doctorChecks: ['the SP serves the metadata setup wrote, with the certificates shibd uses'],
  plan(draft) {
    const keptPath = path.join(draft.saml2jwtDir, spInfoCopy);
    let given = draft.inputs.spInfo;
    if (!given && fs.existsSync(keptPath)) {
      const text = fs.readFileSync(keptPath, 'utf8');
      given = { info: readSpInfo(parseSpInfoYaml(text, keptPath), keptPath), text };
    }
    if (!given) return;
    const handlerUrl = `${draft.siteBase}/saml2jwt/Shibboleth.sso`;
    // A key pair made in a dry run is a placeholder: so is the document.
    const xml = draft.spCertificates.every((pem) => pem.includes('BEGIN CERTIFICATE'))
      ? spMetadataXml({ entityId: draft.inputs.spEntityId, handlerUrl, certificates: draft.spCertificates, info: given.info })
      : `(the SP metadata for ${draft.inputs.spEntityId}, with the certificate made in this run)\n`;
    draft.addFile(keptPath, given.text, 0o644);
    draft.addFile(path.join(draft.saml2jwtDir, spMetadataFile), xml, 0o644);
    draft.addFile(path.join(draft.spDir, spMetadataFile), xml, 0o644);
    draft.notes.push(
      `federation: upload ${path.join(draft.saml2jwtDir, spMetadataFile)} to your federation's registrar (the SP serves the same document at ${draft.spMetadataUrl} once saml-sp is recreated)`,
    );
  },
};
