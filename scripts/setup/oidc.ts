// OpenID Connect beside SAML (SP_LOGIN both or oidc): the provider's issuer and client id in the
// .env; the client secret and the passphrase of mod_auth_openidc's state cookie and sessions as
// files in the SP key folder (mounted at /etc/shibboleth/keys), never in the .env; the redirect
// URI the operator registers at the provider.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeAccess, hasContainerOwner, secretFileContent, secretFileMode } from '../secret-files';
import { oidcClientSecretFile, oidcCryptoPassphraseFile, oidcTlsCaFile, spKeysInContainer } from '../setup-inputs';
import type { SetupDraft, SetupFeature } from './draft';
import { readSecretOrNull } from './compose-secrets';
import { sameAccess, statOrNull } from './file-state';

/** Where the provider sends the browser back (saml2jwt-render's OIDC_REDIRECT_URI). */
export function oidcRedirectUri(siteBase: string): string {
  return `${siteBase}/saml2jwt/oidc/callback`;
}

const oidcVariables = ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET_FILE', 'OIDC_TLS_CA', 'OIDC_CRYPTO_PASSPHRASE_FILE'] as const;

export const oidc: SetupFeature = {
  name: 'OpenID Connect',
  flags: ['--oidc-issuer', '--oidc-client-id', '--oidc-client-secret-file', '--oidc-tls-ca', '--sp-login'],
  doctorChecks: ["the provider's discovery document names OIDC_ISSUER", 'the redirect URI answers', 'the client secret file is private and the secret is not in the .env'],
  plan(draft) {
    const { oidc: o, spLogin } = draft.inputs;
    if (!o) {
      // SP_LOGIN=saml with an OIDC_* variable set stops the SP: empty them all.
      if ((draft.expanded('SP_LOGIN') ?? 'saml') !== 'saml') draft.set('SP_LOGIN', 'saml');
      for (const key of oidcVariables) draft.setOrEmpty(key, undefined);
      return;
    }
    draft.set('SP_LOGIN', spLogin);
    draft.set('OIDC_ISSUER', o.issuer);
    draft.set('OIDC_CLIENT_ID', o.clientId);
    const secretPath = path.join(draft.spDir, oidcClientSecretFile);
    if (o.clientSecret !== undefined) {
      planPrivateFile(draft, secretPath, secretFileContent(o.clientSecret));
      draft.set('OIDC_CLIENT_SECRET_FILE', `${spKeysInContainer}/${oidcClientSecretFile}`);
    } else {
      // A re-run keeps the secret an earlier run wrote, and puts its mode and owner back.
      const kept = readSecretOrNull(secretPath);
      if (kept !== null) planPrivateFile(draft, secretPath, kept);
    }
    // Made once and kept: a new passphrase ends every OpenID Connect session.
    const passphrasePath = path.join(draft.spDir, oidcCryptoPassphraseFile);
    const passphrase = readSecretOrNull(passphrasePath);
    if (passphrase === null) draft.generated.push(`OIDC crypto passphrase generated in ${passphrasePath}`);
    planPrivateFile(draft, passphrasePath, passphrase ?? secretFileContent(draft.newSecret()));
    draft.set('OIDC_CRYPTO_PASSPHRASE_FILE', `${spKeysInContainer}/${oidcCryptoPassphraseFile}`);
    if (o.tlsCa?.hostPath) draft.addFile(path.join(draft.spDir, oidcTlsCaFile), fs.readFileSync(o.tlsCa.hostPath, 'utf8'), 0o644);
    draft.setOrEmpty('OIDC_TLS_CA', o.tlsCa?.containerPath);
    draft.notes.push(`OpenID Connect: register the redirect URI ${oidcRedirectUri(draft.siteBase)} for client ${o.clientId} at ${o.issuer}`);
  },
};

// Like the compose secret files: mode 0440, owned by uid 1000 and group 0 when setup runs as root
// (the SP reads it as root through group 0), no backup (the secret is nowhere else to restore).
function planPrivateFile(draft: SetupDraft, file: string, after: string): void {
  const access = draft.secretAccessOf(secretFileMode);
  const before = readSecretOrNull(file);
  if (before === after && sameAccess(statOrNull(file), access)) return;
  draft.dirs.add(path.dirname(file));
  draft.files.push({ path: file, before, after, mode: access.mode, replace: true, secret: true, holdsSecrets: false, access, backup: false });
  if (before !== null) return;
  const owner = hasContainerOwner(access) ? '' : ': the SP reads it as root through group 0, so give it group 0 (sudo chown 1000:0 it) or run setup as root';
  draft.notes.push(`${path.basename(file)} in ${path.dirname(file)}, ${describeAccess(access)}${owner}`);
}
