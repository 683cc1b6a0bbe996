// The name a meeting shows for a signed-in user, from what the IdP released: displayName, else
// "givenName sn", else the mail's local part, else a neutral "Guest <6 hex>". Never empty: Jitsi
// shows an empty name as nothing at all. The last step is for REFEDS Pseudonymous Access, whose
// IdPs release a pairwise id and no name or mail; the hash of the user id keeps one user's name
// stable across meetings without revealing anything.
import { createHash } from 'node:crypto';
import type { AttributeName } from './attributes';

type Attributes = Partial<Record<AttributeName, string[]>>;

export function displayNameOf(attributes: Attributes, userId: string): string {
  const displayName = attributes.displayName?.[0];
  if (displayName !== undefined) return displayName;
  const parts = [attributes.givenName?.[0], attributes.sn?.[0]].filter((part) => part !== undefined);
  if (parts.length > 0) return parts.join(' ');
  const localPart = attributes.mail?.[0]?.split('@')[0];
  if (localPart) return localPart;
  return `Guest ${createHash('sha256').update(userId, 'utf8').digest('hex').slice(0, 6)}`;
}
