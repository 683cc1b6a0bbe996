// The one PUBLIC_URL rule, shared by the sidecar (config/load.ts), setup (scripts/input-checks.ts)
// and the SP image's shell renderer (shib-image/rootfs/usr/local/bin/saml2jwt-render, which
// repeats it in bash with the same messages; test/unit/config/public-url.test.ts holds the three
// to it). PUBLIC_URL is scheme://host[:port] with at most one trailing "/": no path, because the
// SP's handlers and Jitsi's nginx location live at /saml2jwt/ on the host's root, and Jitsi
// itself is served at the root. https, except plain http for hosts only a developer machine or
// the compose network resolve.
const SHAPE = /^(https?):\/\/([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::([0-9]{1,5}))?$/;
const LOCAL_HOST = /^(localhost|127\.0\.0\.1|.*\.localhost|.*\.meet\.jitsi)$/i;

/** Names that only a developer machine or the compose network resolve: plain http is fine there. */
export function isLocalOrInternalHost(host: string): boolean {
  return LOCAL_HOST.test(host);
}

export const PUBLIC_URL_REQUIRED = "PUBLIC_URL is required: the meeting's base URL, e.g. https://meet.example.org";

/** The problem with this PUBLIC_URL, as one sentence naming it, or undefined when it is fine. */
export function publicUrlProblem(value: string): string | undefined {
  if (value === '') return PUBLIC_URL_REQUIRED;
  const m = SHAPE.exec(value.replace(/\/$/, ''));
  if (!m) return `PUBLIC_URL must look like https://host or https://host:port (no path, query or credentials), not "${value}"`;
  if (m[1] === 'http' && !isLocalOrInternalHost(m[2] as string)) {
    return `PUBLIC_URL must start with https:// (plain http only for localhost or *.meet.jitsi), not "${value}"`;
  }
  return undefined;
}

/** PUBLIC_URL without its trailing "/", once publicUrlProblem() found nothing wrong. */
export function normalPublicUrl(value: string): string {
  return value.replace(/\/$/, '');
}
