// How the SP is reached (--mode): path mode, where Jitsi's own nginx proxies /saml2jwt/ (our
// snippet in nginx-custom), or host mode, where the SP has its own name and TLS certificate.
import * as path from 'node:path';
import { jitsiSendsHsts, nginxSnippet } from '../nginx-snippet';
import type { SetupFeature } from './draft';

export const spMode: SetupFeature = {
  name: 'path or host mode',
  flags: ['--mode', '--server-name'],
  doctorChecks: ['web proxies /saml2jwt/ to the SP (path mode)', 'the SP answers its metadata'],
  plan(draft) {
    const { inputs } = draft;
    draft.set('SAML2JWT_MODE', inputs.mode);
    if (inputs.mode === 'host') {
      if (inputs.serverName) draft.set('SERVER_NAME', inputs.serverName);
      draft.useOverlay('saml2jwt-hostmode.yml');
      draft.notes.push(`host mode: ${inputs.serverName} must resolve to this machine and its TLS certificate goes into ${draft.spDir}/tls-cert.pem + tls-key.pem (self-signed if absent)`);
      return;
    }
    const snippet = nginxSnippet(draft.packageFile('compose-overlay', 'nginx', 'saml2jwt.conf'), jitsiSendsHsts(draft.expanded('ENABLE_HSTS')));
    draft.addFile(path.join(draft.checkout.configDir, 'web', 'nginx-custom', 'saml2jwt.conf'), snippet, 0o644);
  },
};
