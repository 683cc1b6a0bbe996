// Advanced token mode (JWT_TOKEN_MODE=advanced, the operator's own setting): the sidecar asks
// Jicofo whether a private room has started, so it must be on meet.jitsi too.
import type { SetupFeature } from './draft';

export const advancedMode: SetupFeature = {
  name: 'advanced mode (private rooms)',
  flags: [],
  doctorChecks: ['saml2jwt is on meet.jitsi only when it needs to be'],
  plan(draft) {
    // The sidecar's own spelling (config/load.ts).
    if (draft.expanded('JWT_TOKEN_MODE')?.trim() === 'advanced') draft.useOverlay('saml2jwt-meet-network.yml');
  },
};
