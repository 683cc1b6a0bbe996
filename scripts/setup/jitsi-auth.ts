// Jitsi's own authentication settings: JWT auth on, the URL Jitsi's web page sends users to for a
// token, domain verification (a token for one tenant must not open another: JITSI.md), guests.
import type { SetupFeature } from './draft';

export const placeholderAppIds = ['', 'my_jitsi_app_id'];
export const defaultAppId = 'jitsi';

export const jitsiAuth: SetupFeature = {
  name: 'Jitsi authentication',
  flags: ['--public-url', '--guests'],
  doctorChecks: ['prosody: token auth with domain verification', "web: TOKEN_AUTH_URL is the SP's redirectWithToken"],
  plan(draft) {
    const { inputs } = draft;
    if (inputs.writePublicUrl) draft.set('PUBLIC_URL', inputs.publicUrl);
    draft.set('ENABLE_AUTH', '1');
    draft.set('AUTH_TYPE', 'jwt');
    const appId = draft.expanded('JWT_APP_ID');
    if (appId === undefined || placeholderAppIds.includes(appId)) draft.set('JWT_APP_ID', defaultAppId);
    draft.set('JWT_ENABLE_DOMAIN_VERIFICATION', 'true');
    draft.set('TOKEN_AUTH_URL', draft.tokenAuthUrl);
    if (inputs.guests) draft.set('ENABLE_GUESTS', '1');
  },
};
