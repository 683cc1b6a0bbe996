// Prosody as the e2e stack's Jitsi would be configured (one app id as issuer and audience, domain
// verification on): does it let a token into `room` of `tenant`?
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
