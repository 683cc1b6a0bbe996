// The web nginx snippet (compose-overlay/nginx/saml2jwt.conf) as setup installs it. Its location
// has add_header lines of its own, so it inherits none of Jitsi's server-level headers and must
// send HSTS itself, exactly when Jitsi does: Jitsi's ssl.conf adds it when ENABLE_HSTS is on
// (docker-jitsi-meet at 2e6b31d8, web/rootfs/defaults/ssl.conf lines 25-28: `default "1" | toBool`).
import { jitsiFlag } from './jitsi-flag';

const hstsBlock = /^[ \t]*# saml2jwt:hsts-begin\n[\s\S]*?^[ \t]*# saml2jwt:hsts-end\n/m;

/** Whether Jitsi's web sends Strict-Transport-Security, by the .env's ENABLE_HSTS. */
export function jitsiSendsHsts(enableHsts: string | undefined): boolean {
  // A value tpl cannot read stops Jitsi's web altogether; keep HSTS, the safer side.
  return jitsiFlag(enableHsts || '1') !== false;
}

/** The snippet as shipped, without its HSTS lines when Jitsi sends no HSTS. */
export function nginxSnippet(shipped: string, hsts: boolean): string {
  if (!hstsBlock.test(shipped)) throw new Error('this package is incomplete: the nginx snippet has no saml2jwt:hsts block');
  return hsts ? shipped : shipped.replace(hstsBlock, '');
}
