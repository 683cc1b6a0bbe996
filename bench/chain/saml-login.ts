// One user's way to a token, as a browser goes it, in plain HTTP: the token auth URL at the SP,
// a redirect to the IdP, its login form, the self-posting form with the SAMLResponse to the SP's
// ACS, the redirect back to /redirectWithToken, and the sidecar's 302 to the meeting with the
// token in the fragment. With a session already in the jar, only the first and last of these.
import { Agent } from 'node:https';
import { clientJwtFromUrl } from '../../test/support/jitsi-client';
import type { CookieJar } from './cookie-jar';
import { formBody, readForms } from './html-form';
import type { LoopbackNet, Reply } from './loopback-client';

export interface Credentials {
  user: string;
  password: string;
}

export interface Landing {
  token: string;
  /** Requests on the way (2 for a renewal: the SP's answer is the sidecar's 302, so 1; a login about 7). */
  requests: number;
  /** Time spent in requests to the IdP, and to the SP (and the sidecar behind it), in ms. */
  idpMs: number;
  spMs: number;
}

const MAX_STEPS = 12;

/**
 * Follows `start` until it lands on the meeting (an origin of `meetingOrigin` outside /saml2jwt/)
 * with a token the Jitsi client would take; logs in at the IdP with `credentials` when its form
 * appears. Throws on anything else (an error status, a page without a form, no token).
 */
export async function landOnMeeting(net: LoopbackNet, start: URL, jar: CookieJar, credentials: Credentials, meetingOrigin: string, spOrigin: string): Promise<Landing> {
  const idpAgent = new Agent({ keepAlive: true, maxSockets: 1 }); // a browser keeps its connection to the IdP
  const landing: Landing = { token: '', requests: 0, idpMs: 0, spMs: 0 };
  try {
    let url = start;
    let form: string | undefined;
    for (let step = 0; step < MAX_STEPS; step++) {
      const toSp = url.origin === spOrigin;
      const reply: Reply = await net.send(url, { jar, form, agent: toSp ? undefined : idpAgent });
      landing.requests++;
      if (toSp) landing.spMs += reply.ms;
      else landing.idpMs += reply.ms;
      form = undefined;
      if (reply.status >= 300 && reply.status < 400 && reply.location) {
        const next = reply.location;
        if (next.origin === meetingOrigin && !next.pathname.startsWith('/saml2jwt/')) {
          const { jwt, from } = clientJwtFromUrl(next.href);
          if (!jwt || from !== 'hash') throw new Error(`landed on the meeting without a token in the fragment: ${next.pathname}`);
          landing.token = jwt;
          return landing;
        }
        url = next;
        continue;
      }
      if (reply.status === 200) {
        const [page] = readForms(reply.body, url);
        if (!page) throw new Error(`${url.pathname}: a page without a form (status 200)`);
        const names = new Set(page.fields.map(([n]) => n));
        if (names.has('password')) form = formBody(page, { username: credentials.user, password: credentials.password });
        else if (names.has('SAMLResponse')) form = formBody(page);
        else throw new Error(`${url.pathname}: a form that is neither a login nor a SAML response (${[...names].join(', ')})`);
        if (page.method !== 'POST') throw new Error(`${url.pathname}: the form is not a POST`);
        url = page.action;
        continue;
      }
      throw new Error(`${url.pathname}: status ${reply.status}`);
    }
    throw new Error(`no meeting after ${MAX_STEPS} steps`);
  } finally {
    idpAgent.destroy();
  }
}
