// Step 4 (advanced mode only): private rooms need an entitlement or an already running meeting.
import { checkPrivateRoom as checkEntitlement } from '../../policy/check-private-room';
import type { HttpDeps } from '../deps';
import type { Step } from '../token-flow';

export function checkPrivateRoom({ cfg, log }: HttpDeps): Step {
  if (cfg.tokenMode !== 'advanced') return () => undefined;
  return async (ctx) => {
    const { identity, meeting } = ctx.state;
    if (!identity || !meeting) throw new Error('checkPrivateRoom runs after readIdentity and parseMeeting');
    await checkEntitlement(cfg, identity, meeting.room, meeting.tenant, log);
  };
}
