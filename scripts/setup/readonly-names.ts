// --readonly-names: the display name comes only from the token (the IdP's name). Prosody's
// mod_muc_displayname enforces it for a token whose features have name-readonly: true (the
// boolean); docker-jitsi-meet does not load it, so it goes into XMPP_MUC_MODULES. READONLY_NAMES
// makes the sidecar give every token the feature unless a policy rule sets it to false; it is
// also the record a run without the flag reads to take the module out again.
import { jitsiFlag } from '../jitsi-flag';
import type { SetupFeature } from './draft';

export const displayNameModule = 'muc_displayname';

export const readonlyNames: SetupFeature = {
  name: 'names from the IdP',
  flags: ['--readonly-names'],
  doctorChecks: ['prosody loads muc_displayname when tokens make names read-only'],
  plan(draft) {
    if (draft.inputs.readonlyNames) {
      draft.addToList('XMPP_MUC_MODULES', [displayNameModule]);
      draft.set('READONLY_NAMES', 'true');
      draft.notes.push('names: display names come only from the IdP (muc_displayname; every token has name-readonly unless a policy rule says false)');
      return;
    }
    if (jitsiFlag(draft.expanded('READONLY_NAMES') ?? '') === true) {
      draft.removeFromList('XMPP_MUC_MODULES', [displayNameModule]);
      draft.set('READONLY_NAMES', 'false');
    }
  },
};
