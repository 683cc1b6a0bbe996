// Where users sign in and how the SP trusts it: one IdP (direct), a discovery service, or a
// federation's signed metadata; the metadata's URL or file, its signing certificate and the CA of
// its server, copied into the SP's key folder; the test IdP for a first try.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { metadataTrust } from '../metadata-trust';
import { metadataFileName, metadataSigningCertFile, metadataTlsCaFile, type SpFile } from '../setup-inputs';
import type { SetupFeature } from './draft';

const templateValue = { direct: 'direct', discovery: 'discovery', federation: 'federation', mdq: 'mdq' } as const;

/**
 * eduGAIN's aggregate is "expected to be consumed by participating federations, not by individual
 * IdPs or SPs" (technical.edugain.org/metadata; shared/FEDERATION.md): some 30 s and 1.5 GB per SP.
 */
function isEduGainAggregate(url: string | undefined): boolean {
  return url !== undefined && /^https?:\/\/mds\.edugain\.org\//i.test(url);
}

export const idpSource: SetupFeature = {
  name: 'IdP or federation',
  flags: ['--metadata-url', '--metadata-file', '--metadata-signing-cert', '--metadata-tls-ca', '--idp-entity-id', '--discovery-url', '--mdq-url', '--template', '--sp-entity-id', '--test-idp'],
  doctorChecks: ['the SP loads the IdP metadata', 'the test IdP is reachable (with --test-idp)'],
  plan(draft) {
    const { inputs } = draft;
    if (!inputs.template || !inputs.ssoUrl) {
      // OpenID Connect alone (SP_LOGIN=oidc) and no IdP named: the SP renders nothing of SAML.
      draft.notes.push('SAML: no IdP; the SP signs users in with OpenID Connect alone (SP_LOGIN=oidc). Name an IdP (e.g. --idp-entity-id) and --sp-login both to add SAML');
      return;
    }
    draft.set('SHIBBOLETH_TEMPLATE_XML', templateValue[inputs.template]);
    draft.set('SP_ENTITY_ID', inputs.spEntityId);
    draft.set('SSO_URL', inputs.ssoUrl);
    // A variable these inputs do not use is emptied, not left behind: the test IdP's CA
    // (METADATA_TLS_CA) must never vouch for another metadata server, and the SP refuses
    // METADATA_URL and METADATA_FILE together.
    draft.setOrEmpty('METADATA_URL', inputs.metadataUrl);
    draft.setOrEmpty('METADATA_FILE', inputs.metadataFile?.containerPath);
    draft.setOrEmpty('METADATA_SIGNING_CERT', inputs.metadataSigningCert?.containerPath);
    draft.setOrEmpty('METADATA_TLS_CA', inputs.metadataTlsCa?.containerPath);
    draft.setOrEmpty('MDQ_URL', inputs.mdqUrl);
    if (isEduGainAggregate(inputs.metadataUrl)) {
      draft.notes.push(
        "federation: METADATA_URL is eduGAIN's whole aggregate, which eduGAIN means for federations, not for SPs (each SP replica needs some 30 s and 1.5 GB to load it, more on every refresh): use your national federation's feed, or better its MDQ service (--mdq-url, one IdP at a time: about a second and 40 MB)",
      );
    }
    if (inputs.mdqUrl) draft.notes.push(`federation: MDQ, each IdP asked of ${inputs.mdqUrl} when a user first picks it, signatures checked, answers cached in the metadata volume`);
    draft.metadataTrust = metadataTrust({
      metadataUrl: inputs.metadataUrl,
      metadataFile: inputs.metadataFile?.containerPath,
      signingCert: inputs.metadataSigningCert?.containerPath,
      tlsCa: inputs.metadataTlsCa?.containerPath,
    });
    const copies: [SpFile | undefined, string][] = [
      [inputs.metadataSigningCert, metadataSigningCertFile],
      [inputs.metadataFile, metadataFileName],
      [inputs.metadataTlsCa, metadataTlsCaFile],
    ];
    for (const [file, name] of copies) {
      if (file?.hostPath) draft.addFile(path.join(draft.spDir, name), fs.readFileSync(file.hostPath, 'utf8'), 0o644);
    }
    // The metadata cache, a volume of the SP.
    const metadataDir = path.join(draft.saml2jwtDir, 'metadata');
    if (!fs.existsSync(metadataDir)) draft.dirs.add(metadataDir);
    if (inputs.testIdp) {
      draft.profiles.push('test-idp');
      draft.notes.push(`test IdP ${inputs.testIdp.entityId}: never use the test IdP in production`);
    }
  },
};
