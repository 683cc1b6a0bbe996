// Step (advanced mode only): private rooms need an entitlement or an already running meeting.
import { checkPrivateRoom } from '../../policy/check-private-room';
import type { HttpDeps } from '../deps';
import type { TokenStep } from '../token-endpoint/state';

export function enforcePrivateRoom({ cfg, log }: HttpDeps): TokenStep {
  if (cfg.tokenMode !== 'advanced') return (_ctx, next) => next();
  return async (ctx, next) => {
    const { identity, meeting } = ctx.state;
    if (!identity || !meeting) throw new Error('enforcePrivateRoom runs after requireSpIdentity and parseMeeting');
    await checkPrivateRoom(cfg, identity, meeting.room, meeting.tenant, log);
    await next();
  };
}
