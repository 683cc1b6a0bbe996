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
  /** lobby_bypass as applying allow rules set it: true grants (and wins), false opts a moderator out. */
  lobbyBypass?: boolean;
  /** An applying allow rule makes the user a visitor (the token layer never makes a moderator one). */
  role?: 'visitor';
  /** context.features: defaults {recording: true, livestreaming: false} merged with rules. */
  features: Features;
}

export interface Policy {
  /** Does some allow rule grant lobby_bypass (so Prosody needs token_lobby_bypass)? */
  readonly grantsLobbyBypass: boolean;
  /** Does some allow rule make anyone an owner (so jicofo's auto-owner must be off)? */
  readonly namesModerators: boolean;
  /** Does some allow rule make anyone a visitor (so the deployment needs visitors enabled)? */
  readonly namesVisitors: boolean;
  /** Does some rule set the name-readonly feature to true? */
  readonly makesNamesReadonly: boolean;
  /** What the operator should know but that does not stop the policy from loading. */
  readonly warnings: readonly string[];
  decide(identity: Identity, tenant: string | undefined): PolicyDecision;
}
