// --ha: two SP and two sidecar replicas with the SP's sessions in memcached (saml2jwt-ha.yml).
// Once written, later runs keep it.
import { InvalidInput } from '../input-checks';
import type { SetupFeature } from './draft';
import { backendApiOn } from './sidecar-secrets';

export const replicas: SetupFeature = {
  name: 'replicas',
  flags: ['--ha'],
  doctorChecks: ['the SP replicas share one session store, entityID and certificate'],
  plan(draft) {
    const haOn = draft.inputs.ha || draft.expanded('SAML2JWT_SP_REPLICAS') !== undefined;
    if (!haOn) return;
    if (backendApiOn(draft.expanded('ENABLE_BACKEND_JWT_REQUEST'))) {
      throw new InvalidInput('--ha with the backend API (ENABLE_BACKEND_JWT_REQUEST=true) is not supported: two sidecar replicas cannot publish its one host port');
    }
    for (const key of ['SAML2JWT_SP_REPLICAS', 'SAML2JWT_SIDECAR_REPLICAS']) if (draft.expanded(key) === undefined) draft.set(key, '2');
    draft.useOverlay('saml2jwt-ha.yml');
    draft.notes.push('--ha: every SP replica shares the key pair and SP_ENTITY_ID, and sessions live in memcached; when memcached restarts, users sign in again (docs/running-more-than-one.md)');
  },
};
