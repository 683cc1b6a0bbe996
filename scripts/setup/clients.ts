// Jitsi's clients: tokenLogoutUrl (and, with --inline-login, tokenAuthInline) in the web's
// custom-config.js, and the summary's "which clients are ready" lines (docs/clients.md).
import * as path from 'node:path';
import { DEFAULT_APP_LINKS } from '../../sidecar/src/config/app-links';
import { withOurBlock } from '../custom-config-block';
import { readOrNull, type SetupDraft, type SetupFeature } from './draft';

export const clients: SetupFeature = {
  name: 'clients: web, popup, apps, logout',
  flags: ['--inline-login'],
  doctorChecks: [],
  plan(draft) {
    const customConfig = path.join(draft.checkout.configDir, 'web', 'custom-config.js');
    draft.addFile(customConfig, withOurBlock(readOrNull(customConfig), { tokenLogoutUrl: draft.tokenLogoutUrl, inlineLogin: draft.inputs.inlineLogin }), 0o644);
    draft.clients = readyClients(draft);
  },
};

function readyClients({ inputs, env }: SetupDraft): string[] {
  const value = (key: string, fallback: string): string => env.expanded(key) || fallback;
  const ios = value('APP_SCHEME_IOS', DEFAULT_APP_LINKS.iosScheme);
  const android = `${value('APP_ANDROID_SCHEME', DEFAULT_APP_LINKS.androidScheme)} / ${value('APP_ANDROID_PACKAGE', DEFAULT_APP_LINKS.androidPackage)}`;
  const electron = value('APP_SCHEME_ELECTRON', DEFAULT_APP_LINKS.electronScheme);
  return [
    'web, full-page login and logout: ready',
    inputs.inlineLogin
      ? 'web, inline login (popup, renewal without leaving the meeting, silent logout): ready (config.tokenAuthInline = true)'
      : `web, inline login: off (${inputs.mode === 'host' ? 'needs path mode' : 'turn it on with --inline-login'})`,
    `iOS app: ready (${ios}://)`,
    `Android app: ready (intent, scheme / package ${android})`,
    `desktop app (Electron): ready (${electron}://)`,
  ];
}
