// Our compose overlays, copied beside docker-compose.yml (docker-jitsi-meet's own overlays live
// there too), so `docker compose -f docker-compose.yml -f saml2jwt.yml` works from the checkout.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SetupFeature } from './draft';

/** Our compose overlays: compose-overlay/saml2jwt*.yml (sp-info.example.yml beside them is no overlay). */
export function isOverlayFile(name: string): boolean {
  return /^saml2jwt.*\.yml$/.test(name);
}

export const overlays: SetupFeature = {
  name: 'compose overlays',
  flags: [],
  doctorChecks: ["the checkout's overlay files are this release's"],
  plan(draft) {
    const overlayDir = path.join(draft.ctx.packageRootDir, 'compose-overlay');
    const names = fs.existsSync(overlayDir) ? fs.readdirSync(overlayDir).filter(isOverlayFile).sort() : [];
    if (!names.includes('saml2jwt.yml')) throw new Error(`this package is incomplete: ${path.join(overlayDir, 'saml2jwt.yml')} is missing`);
    for (const name of names) draft.addFile(path.join(draft.checkout.dir, name), draft.packageFile('compose-overlay', name), 0o644);
  },
};
