// The secrets the sidecar shares: the proxy secret with our SP (only the SP may speak for a
// user), and the backend API key when the backend API is on; where the overlay builds our images.
import { parseBoolean } from '../../sidecar/src/config/boolean';
import type { SetupFeature } from './draft';
import { isStrongSecret } from './strong-secret';

/** ENABLE_BACKEND_JWT_REQUEST is on in the .env (the operator's choice: setup never turns it on). */
export function backendApiOn(expanded: string | undefined): boolean {
  return expanded !== undefined && parseBoolean(expanded) === true;
}

export const sidecarSecrets: SetupFeature = {
  name: 'sidecar secrets and backend API',
  flags: [],
  doctorChecks: ['the SP and the sidecar share SIDECAR_PROXY_SECRET', 'the backend API has a strong key (when on)'],
  plan(draft) {
    // The overlay builds our images from this package unless they exist: point it here once.
    if (!draft.expanded('SAML2JWT_SRC')) draft.set('SAML2JWT_SRC', draft.ctx.packageRootDir);
    if (!isStrongSecret(draft.expanded('SIDECAR_PROXY_SECRET'))) {
      draft.set('SIDECAR_PROXY_SECRET', draft.newSecret());
      draft.generated.push('SIDECAR_PROXY_SECRET generated (shared by the SP and the sidecar only)');
    }
    if (!backendApiOn(draft.expanded('ENABLE_BACKEND_JWT_REQUEST'))) return;
    if (!isStrongSecret(draft.expanded('BACKEND_API_KEY'))) {
      draft.set('BACKEND_API_KEY', draft.newSecret());
      draft.generated.push('BACKEND_API_KEY generated (the backend API is on: ENABLE_BACKEND_JWT_REQUEST)');
    }
    draft.useOverlay('saml2jwt-backend.yml');
  },
};
