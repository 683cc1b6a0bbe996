// The cookie rules one SAML login needs, as a browser applies them (RFC 6265 §5, cut down): a
// cookie belongs to the host name that set it (our two hosts never share one, so Domain is not
// needed), goes with requests on paths under its Path, and an expiry in the past removes it.
// Secure is not checked: the jar speaks for a browser on https, and the plain-http hop to the SP
// stands for the one behind Jitsi's TLS-terminating nginx.

interface Cookie {
  value: string;
  path: string;
}

export class CookieJar {
  /** host name → "path\0name" → cookie */
  private readonly hosts = new Map<string, Map<string, Cookie>>();

  /** Takes the Set-Cookie headers of a response to `url`. */
  store(url: URL, setCookie: readonly string[] | undefined, now: number = Date.now()): void {
    for (const line of setCookie ?? []) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue; // a cookie needs a name
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = defaultPath(url.pathname);
      let expired = false;
      let maxAgeSeen = false;
      for (const attribute of attributes) {
        const i = attribute.indexOf('=');
        const key = (i < 0 ? attribute : attribute.slice(0, i)).trim().toLowerCase();
        const arg = i < 0 ? '' : attribute.slice(i + 1).trim();
        if (key === 'path' && arg.startsWith('/')) path = arg;
        else if (key === 'max-age' && /^-?\d+$/.test(arg)) {
          maxAgeSeen = true; // Max-Age wins over Expires
          expired = Number(arg) <= 0;
        } else if (key === 'expires' && !maxAgeSeen) {
          const at = Date.parse(arg);
          if (!Number.isNaN(at)) expired = at <= now;
        }
      }
      let cookies = this.hosts.get(url.hostname);
      if (!cookies) this.hosts.set(url.hostname, (cookies = new Map()));
      const key = `${path}\u0000${name}`;
      if (expired) cookies.delete(key);
      else cookies.set(key, { value, path });
    }
  }

  /** The Cookie header for a request to `url`, or undefined when no cookie applies. */
  header(url: URL): string | undefined {
    const matching: Array<[string, Cookie]> = [];
    for (const [key, cookie] of this.hosts.get(url.hostname) ?? []) {
      if (pathMatches(url.pathname, cookie.path)) matching.push([key.slice(key.indexOf('\u0000') + 1), cookie]);
    }
    if (matching.length === 0) return undefined;
    // Longer paths first, as browsers send them.
    matching.sort((a, b) => b[1].path.length - a[1].path.length);
    return matching.map(([name, c]) => `${name}=${c.value}`).join('; ');
  }
}

/** RFC 6265 §5.1.4: the request path up to its last "/", or "/". */
function defaultPath(requestPath: string): string {
  const last = requestPath.lastIndexOf('/');
  return requestPath.startsWith('/') && last > 0 ? requestPath.slice(0, last) : '/';
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  return requestPath.startsWith(cookiePath) && (cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/');
}
