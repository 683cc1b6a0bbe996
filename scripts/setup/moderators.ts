// --moderators: the operator's policy decides who is moderator. Prosody's token_affiliation makes
// them owners, token_lobby_bypass lets them past their own lobby (every moderator's token carries
// lobby_bypass: JITSI.md), jicofo's auto-owner goes off. --wait-for-host holds guests until a
// signed-in user has joined.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parsePolicy } from '../../sidecar/src/policy/load';
import type { Policy } from '../../sidecar/src/policy/policy';
import { InvalidInput } from '../input-checks';
import { jitsiFlag } from '../jitsi-flag';
import type { SetupFeature } from './draft';

export const policyInContainer = '/config/policy/policy.yml';
export const moderatorModule = 'token_affiliation';
export const lobbyBypassModule = 'token_lobby_bypass';
export const waitForHostModule = 'muc_wait_for_host';
export const persistentLobbyModule = 'persistent_lobby';

export const moderators: SetupFeature = {
  name: 'moderators and waiting for a host',
  flags: ['--moderators', '--wait-for-host'],
  doctorChecks: ['prosody loads token_affiliation and token_lobby_bypass', "jicofo's auto-owner is off", 'muc_wait_for_host does not make every user owner'],
  plan(draft) {
    const { inputs } = draft;
    if (!inputs.moderatorsPolicy) return;
    const policyText = fs.readFileSync(inputs.moderatorsPolicy, 'utf8');
    const policy = checkPolicy(policyText, inputs.moderatorsPolicy);
    draft.policy = policy;
    draft.addFile(path.join(draft.saml2jwtDir, 'policy', 'policy.yml'), policyText, 0o644);
    draft.set('POLICY_FILE', policyInContainer);
    // token_affiliation ships with jitsi-meet-prosody (/prosody-plugins), token_lobby_bypass with
    // the jitsi-contrib plugins bundled in the image (/prosody-plugins-contrib): nothing to install.
    const mucModules = [moderatorModule];
    if (policy.grantsLobbyBypass) mucModules.push(lobbyBypassModule);
    if (inputs.waitForHost) mucModules.push(waitForHostModule);
    draft.addToList('XMPP_MUC_MODULES', mucModules);
    if (inputs.waitForHost) {
      // mod_muc_wait_for_host needs mod_persistent_lobby on the main VirtualHost; with auto owners
      // off, token_affiliation alone decides who is the host.
      draft.addToList('XMPP_MODULES', [persistentLobbyModule]);
      draft.set('WAIT_FOR_HOST_DISABLE_AUTO_OWNERS', '1');
    }
    draft.set('ENABLE_AUTO_OWNER', '0');
    draft.notes.push(
      `roles: ${mucModules.join(', ')} in XMPP_MUC_MODULES (shipped in docker-jitsi-meet's prosody image) and jicofo's auto-owner off (ENABLE_AUTO_OWNER=0): only the people the policy names become moderators`,
    );
    if (inputs.waitForHost) draft.notes.push(waitForHostNote(jitsiFlag(draft.expanded('ENABLE_GUESTS') ?? '0') === true));
  },
};

/** What --wait-for-host does for this deployment (mod_muc_wait_for_host: any token user is the host). */
function waitForHostNote(guests: boolean): string {
  return guests
    ? 'wait for host: guests wait in the lobby until the first signed-in user (any token, student or staff) has joined; then they are let in'
    : 'wait for host: guests are off (ENABLE_GUESTS), so nobody waits: everyone signs in, and any signed-in user counts as the host';
}

// The sidecar's own policy parser, so setup refuses exactly what the sidecar would refuse at start.
function checkPolicy(text: string, file: string): Policy {
  try {
    return parsePolicy(text, file);
  } catch (err) {
    throw new InvalidInput(`--moderators: ${file} is not a valid policy: ${(err as Error).message}`);
  }
}
