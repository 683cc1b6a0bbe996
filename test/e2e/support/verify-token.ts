// Prosody as the e2e stack's Jitsi would be configured (one app id as issuer and audience, domain
// verification on): does it let a token into `room` of `tenant`?
import { expect } from 'chai';
import { prosodyAccepts, type ProsodyVerdict } from '../../support/prosody-verifier';

export type TokenCheck = (token: string, room: string, tenant?: string) => ProsodyVerdict;

export function prosodyCheck(appId: string, secret: string, xmppDomain: string): TokenCheck {
  return (token, room, tenant) =>
    prosodyAccepts(token, {
      secret,
      acceptedIssuers: [appId],
      acceptedAudiences: [appId],
      room,
      tenant,
      xmppDomain,
      domainVerification: true,
    });
}

/** The token's `context.user`, once Prosody's rules let it into `room` (of `tenant`); fails the test otherwise. */
export function acceptedUser(check: TokenCheck, token: string, room: string, tenant?: string): Record<string, unknown> {
  const verdict = check(token, room, tenant);
  expect(verdict, JSON.stringify(verdict)).to.have.property('ok', true);
  return verdict.ok ? (verdict.claims as unknown as { context: { user: Record<string, unknown> } }).context.user : {};
}
