// The SP's SAML key and certificate, what the IdP or federation registers: made once, never
// overwritten (a new pair would break every registration).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidInput } from '../input-checks';
import { spCertFile, spKeyFile } from '../sp-keys';
import { spCertificates } from '../sp-rollover';
import type { SetupFeature } from './draft';

export const spKeyPair: SetupFeature = {
  name: 'SP key and certificate',
  flags: [],
  doctorChecks: ["the SP's metadata carries its certificate"],
  plan(draft) {
    const { spDir, inputs } = draft;
    const keyPath = path.join(spDir, spKeyFile);
    const certPath = path.join(spDir, spCertFile);
    const keyExists = fs.existsSync(keyPath);
    if (keyExists !== fs.existsSync(certPath)) {
      throw new InvalidInput(`${spDir} holds only ${keyExists ? spKeyFile : spCertFile}: restore the other file, or move both away to get a new pair`);
    }
    if (keyExists) {
      // During a key rollover, the second certificate too (the metadata lists both).
      draft.spCertificates = spCertificates(spDir);
      return;
    }
    const spHost = new URL(draft.siteBase).hostname;
    const pair = draft.ctx.makeSpKeys ? draft.ctx.makeSpKeys(spHost, inputs.spEntityId) : null;
    draft.addFile(keyPath, pair?.keyPem ?? '(a new RSA 3072 private key)\n', 0o600, { replace: false, secret: true });
    const certPem = pair?.certPem ?? `(a new self-signed certificate for ${spHost}, ${inputs.spEntityId})\n`;
    draft.addFile(certPath, certPem, 0o644, { replace: false, secret: pair === null });
    draft.spCertificates = [certPem];
    draft.generated.push(`SP key and certificate generated in ${spDir} (RSA 3072, SHA-256, 10 years)`);
  },
};
