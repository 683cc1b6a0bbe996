// --visitors: a policy's role: visitor only works where the deployment runs Jitsi's visitors:
// ENABLE_VISITORS for prosody and jicofo, and visitor prosody instances (the prosody image with
// PROSODY_MODE=visitors) that jicofo reaches through VISITORS_XMPP_SERVER (docker-jitsi-meet
// docker-compose.yml @2e6b31d8 passes these variables; it ships no visitor service). Setup checks
// and says exactly what is missing; it does not invent services.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidInput } from '../input-checks';
import { jitsiFlag } from '../jitsi-flag';
import type { SetupDraft, SetupFeature } from './draft';

/** What the checkout lacks to run visitors, one line each; empty when it has everything. */
export function missingForVisitors(draft: SetupDraft): string[] {
  const missing: string[] = [];
  if (jitsiFlag(draft.expanded('ENABLE_VISITORS') ?? '') !== true) missing.push('ENABLE_VISITORS=1 in .env (prosody and jicofo read it)');
  if (!draft.expanded('VISITORS_XMPP_SERVER')) missing.push('VISITORS_XMPP_SERVER in .env: the visitor prosody instances jicofo sends visitors to (host[:port], comma-separated)');
  if (!composeFilesRunVisitors(draft.checkout.dir)) {
    missing.push("a prosody service with PROSODY_MODE=visitors in the checkout's compose files: docker-jitsi-meet ships none, add one per visitor node");
  }
  return missing;
}

function composeFilesRunVisitors(dir: string): boolean {
  const files = fs.readdirSync(dir).filter((n) => /\.ya?ml$/.test(n));
  return files.some((name) => /PROSODY_MODE\s*[:=]\s*["']?visitors\b/.test(fs.readFileSync(path.join(dir, name), 'utf8')));
}

export const visitors: SetupFeature = {
  name: 'visitors',
  flags: ['--visitors'],
  doctorChecks: ['prosody and jicofo run with ENABLE_VISITORS when the policy makes visitors'],
  plan(draft) {
    if (!draft.inputs.visitors) {
      if (draft.policy?.namesVisitors) draft.notes.push('visitors: the policy makes visitors (role: visitor); run setup with --visitors to check that this deployment runs them');
      return;
    }
    const missing = missingForVisitors(draft);
    if (missing.length > 0) throw new InvalidInput(`--visitors: this checkout does not run Jitsi's visitors; it needs:\n  - ${missing.join('\n  - ')}`);
    draft.notes.push('visitors: this checkout runs them (ENABLE_VISITORS, visitor prosody instances); tokens with role "visitor" join as visitors');
  },
};
