import type { Room } from '../meeting/room';
import type { Features } from '../policy/policy';

/** context.user: every field a string (moderator and lobby_bypass may be boolean); never null. */
export interface TokenUser {
  id: string;
  name: string;
  /** Only when the IdP released a mail: never an empty string or null. */
  email?: string;
  avatar?: string;
  affiliation?: string;
  moderator?: boolean;
  /** token_lobby_bypass: only ever written as true: for a moderator, or when the policy grants it. */
  lobby_bypass?: true;
  /** The client joins as a visitor (jwt/middleware.any.ts); never written for a moderator. */
  role?: 'visitor';
}

/** Who the token is for, as a caller asks: lobby_bypass false opts a moderator out of the bypass. */
export type TokenUserRequest = Omit<TokenUser, 'lobby_bypass'> & { lobby_bypass?: boolean };

/** What to mint: one user, exactly one room, at most one tenant. */
export interface TokenRequest {
  user: TokenUserRequest;
  /** The parsed room (never `*`); its backend-safe form is the claim. */
  room: Room;
  /** Validated tenant, or undefined for the root. */
  tenant?: string;
  features: Features;
  /** validity_timestamp as asked (absolute seconds), or undefined. */
  requestedExp?: number;
}

export interface JitsiClaims {
  iss: string;
  aud: string;
  sub: string;
  room: string;
  iat: number;
  nbf: number;
  exp?: number; // absent only with ALLOW_UNLIMITED_TOKENS and DEFAULT_VALIDITY=0
  jti: string;
  context: {
    user: TokenUser;
    features: Features;
    tenant?: string;
  };
}

export interface MintedToken {
  token: string;
  claims: JitsiClaims;
}
