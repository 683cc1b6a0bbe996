// The role written into context.user, by the rule token_affiliation applies in Prosody
// (/work/shared/JITSI.md "Moderators and the lobby"): a token user is owner when
// affiliation is owner, moderator or teacher, or moderator is true; every other is member.
// We write one unambiguous form: an owner gets affiliation "owner" and moderator true; anyone
// else gets neither field (member is Prosody's default), never false or null. Affiliations are
// compared exactly, as Prosody does.

const OWNER_AFFILIATIONS: ReadonlySet<string> = new Set(['owner', 'moderator', 'teacher']);

export interface RoleInput {
  affiliation?: string;
  moderator?: boolean;
}

export interface RoleClaims {
  affiliation?: 'owner';
  moderator?: true;
}

export function isOwner(role: RoleInput): boolean {
  return role.moderator === true || (role.affiliation !== undefined && OWNER_AFFILIATIONS.has(role.affiliation));
}

export function roleClaims(role: RoleInput): RoleClaims {
  return isOwner(role) ? { affiliation: 'owner', moderator: true } : {};
}
