import type { Identity } from '../identity/identity';

export type FeatureValue = string | boolean;
export type Features = Record<string, FeatureValue>;

/** What the operator's policy says about one identity in one tenant. */
export interface PolicyDecision {
  allowed: boolean;
  /** Why a token is refused (shown on the error page) — only when !allowed. */
  reason?: string;
  /** context.user.affiliation, only when a rule sets it. */
  affiliation?: string;
  /** context.user.moderator, only when a rule sets it. */
  moderator?: boolean;
  /** context.user.lobby_bypass, only when an applying allow rule grants it. */
  lobbyBypass?: true;
  /** context.features: defaults {recording: true, livestreaming: false} merged with rules. */
  features: Features;
}

export interface Policy {
  /** Does some allow rule grant lobby_bypass (so Prosody needs token_lobby_bypass)? */
  readonly grantsLobbyBypass: boolean;
  /** Does some allow rule make anyone an owner (so jicofo's auto-owner must be off)? */
  readonly namesModerators: boolean;
  decide(identity: Identity, tenant: string | undefined): PolicyDecision;
}
