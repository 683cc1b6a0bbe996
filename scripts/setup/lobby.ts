// --lobby: every new meeting starts with its lobby on. jitsi-contrib's lobby_autostart (bundled in
// docker-jitsi-meet's prosody image at /prosody-plugins-contrib since stable-9457) turns it on at
// room creation; it needs persistent_lobby on the main VirtualHost (jitsi-contrib
// lobby_autostart/README.md @cd9b905d). Moderators and users the policy grants lobby_bypass go
// straight in (token_lobby_bypass, which --moderators wires); everyone else knocks.
// SAML2JWT_LOBBY records the modules --lobby added, so a run without it removes exactly those.
import { jitsiFlag } from '../jitsi-flag';
import type { SetupFeature } from './draft';
import { persistentLobbyModule } from './moderators';

export const lobbyAutostartModule = 'lobby_autostart';
/** Our record of what --lobby added: `XMPP_MUC_MODULES:lobby_autostart,XMPP_MODULES:persistent_lobby`. */
export const lobbyRecord = 'SAML2JWT_LOBBY';

const wanted: readonly (readonly [list: string, module: string])[] = [
  ['XMPP_MUC_MODULES', lobbyAutostartModule],
  ['XMPP_MODULES', persistentLobbyModule],
];

export const lobby: SetupFeature = {
  name: 'a lobby for every meeting',
  flags: ['--lobby'],
  doctorChecks: ['lobby_autostart has persistent_lobby and token_lobby_bypass'],
  plan(draft) {
    const recorded = (draft.expanded(lobbyRecord) ?? '').split(',').filter((e) => e.includes(':'));
    if (draft.inputs.lobby) {
      const added = wanted.filter(([list, module]) => !draft.expanded(list)?.split(',').includes(module)).map(([list, module]) => `${list}:${module}`);
      for (const [list, module] of wanted) draft.addToList(list, [module]);
      // docker-jitsi-meet's default is on; an operator's explicit off would leave lobby_autostart without a lobby.
      if (jitsiFlag(draft.expanded('ENABLE_LOBBY') ?? '1') !== true) draft.set('ENABLE_LOBBY', '1');
      draft.set(lobbyRecord, [...new Set([...recorded, ...added])].join(','));
      draft.notes.push('lobby: every new meeting starts with its lobby on (lobby_autostart); moderators and users the policy grants lobby_bypass go straight in, everyone else knocks');
      return;
    }
    // Without --lobby: take back what an earlier --lobby added, and nothing else.
    const stillNeeded = draft.inputs.waitForHost ? [`XMPP_MODULES:${persistentLobbyModule}`] : [];
    for (const entry of recorded) {
      if (stillNeeded.includes(entry)) continue;
      const [list, module] = entry.split(':') as [string, string];
      draft.removeFromList(list, [module]);
    }
    if (draft.expanded(lobbyRecord)) draft.set(lobbyRecord, '');
  },
};
