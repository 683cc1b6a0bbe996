// Advanced mode step: in a "private" tenant, only the room's owner may open it; others may join
// once it has started. Jicofo is asked only when the user (by scoped id) is not entitled.
import type { Config } from '../config/config';
import type { Identity } from '../identity/identity';
import type { Logger } from '../log';
import type { Room } from '../meeting/room';
import { Refusal } from '../refusal';
import { roomStarted } from './jicofo-probe';
import { isPrivateTenant, privateRoomEntitled } from './private-room';

export async function checkPrivateRoom(
  cfg: Config,
  identity: Identity,
  room: Room,
  tenant: string | undefined,
  log: Logger,
): Promise<void> {
  if (cfg.tokenMode !== 'advanced' || !isPrivateTenant(tenant)) return;
  if (privateRoomEntitled(room, identity.ownerId)) return;
  if (await roomStarted(room, tenant, cfg.jicofo, log)) return;
  throw new Refusal('forbidden', 'private_room', 'This private meeting has not been started by its owner yet.');
}
