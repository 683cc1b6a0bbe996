// A test OpenID Connect provider (panva's oidc-provider) over HTTPS on 127.0.0.1 (or another
// address of this host, see OpOptions.host), with a CA of its own (what the SP's OIDC_TLS_CA names). Its login asks nothing: it signs in `user` at once
// and consents to what the client asked, so a test sets who logs in and which claims they carry.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { makeCa, serverCertificate } from './tls-ca';

export interface OidcUser {
  sub: string;
  name?: string;
  email?: string;
  email_verified?: boolean;
  groups?: string[];
}

export interface RunningOp {
  /** The provider's issuer: https://<host>:<port> (host 127.0.0.1 unless OpOptions.host). */
  issuer: string;
  port: number;
  /** PEM file of the CA that issued the provider's TLS certificate. */
  caFile: string;
  clientId: string;
  clientSecret: string;
  /** Who logs in next (and every time after, until changed). */
  user: OidcUser;
  /** Authorization codes redeemed at the token endpoint. */
  tokenRequests: number;
  /** Authorization requests the browser brought (GET /auth?...). */
  authRequests: number;
  /** Browser visits to the end-session endpoint (RP-initiated logout). */
  endSessionRequests: number;
  /**
   * When true, the provider's answer to the SP (the redirect to the redirect URI with code and
   * state) is not sent: it is kept in heldAnswer, and the browser gets a blank page. A test can
   * then send it on changed (Playwright cannot reroute a redirect).
   */
  holdAnswer: boolean;
  heldAnswer?: string;
  close(): Promise<void>;
}

export interface OpOptions {
  dir: string;
  port: number;
  /** The SP's redirect URI (OIDC_REDIRECT_URI). */
  redirectUri: string;
  /** Where the provider may send the browser after logout. */
  postLogoutRedirectUri: string;
  /**
   * IPv4 address of this host the provider listens on and names in its issuer (and its TLS
   * certificate). Default 127.0.0.1; the docker tier gives the docker bridge's gateway, which the
   * browser, this host and the containers all reach at the same URL.
   */
  host?: string;
}

// oidc-provider is an ES module; Node's require(esm) loads it from this CommonJS test code.
type ProviderModule = typeof import('oidc-provider');

export async function startOp(o: OpOptions): Promise<RunningOp> {
  const { default: Provider } = (await import('oidc-provider')) as ProviderModule;
  const ca = makeCa(o.dir, 'test-op');
  const host = o.host ?? '127.0.0.1';
  const tls = serverCertificate(o.dir, 'test-op', [...new Set([`IP:${host}`, 'IP:127.0.0.1']), 'DNS:localhost'], ca);
  const issuer = `https://${host}:${o.port}`;
  const state = {
    user: { sub: 'op-user-1', name: 'Olive Provider', email: 'olive@staff.example.test', email_verified: true } as OidcUser,
    tokenRequests: 0,
    authRequests: 0,
    endSessionRequests: 0,
    holdAnswer: false,
    heldAnswer: undefined as string | undefined,
  };
  const clientId = 'saml2jwt-e2e';
  const clientSecret = randomBytes(24).toString('hex');

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [o.redirectUri],
        post_logout_redirect_uris: [o.postLogoutRedirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
    // Logout asks nothing either: the confirmation form submits itself ("yes, sign me out").
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.body = `<!DOCTYPE html><body>${form.replace('</form>', '<input type="hidden" name="logout" value="yes"></form>')}<script>document.forms[0].submit()</script></body>`;
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    pkce: { required: () => true },
    findAccount: (_ctx, sub) => {
      const user = state.user;
      return { accountId: sub, claims: () => ({ ...user, sub }) };
    },
  });
  provider.on('grant.success', () => void state.tokenRequests++);
  const callback = provider.callback();

  // The login and consent screens, answered at once for state.user.
  const interact = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      await provider.interactionFinished(req, res, { login: { accountId: state.user.sub } }, { mergeWithLastSubmission: false });
      return;
    }
    const grant = new provider.Grant({ accountId: String(details.session?.accountId), clientId: String(details.params.client_id) });
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  };

  // Replaces a redirect to the SP by a blank page, keeping where it would have gone.
  const holdRedirectToSp = (res: ServerResponse): void => {
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      const location = res.getHeader('location');
      if (res.statusCode >= 300 && res.statusCode < 400 && typeof location === 'string' && location.startsWith(o.redirectUri)) {
        state.heldAnswer = location;
        res.statusCode = 200;
        res.removeHeader('location');
        res.setHeader('content-type', 'text/plain');
        res.removeHeader('content-length');
        return end('held');
      }
      return end(...args);
    }) as ServerResponse['end'];
  };

  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      interact(req, res).catch((err: unknown) => res.writeHead(500).end(String(err)));
    } else {
      const path = new URL(req.url ?? '/', issuer).pathname;
      if (path === '/auth') state.authRequests++;
      if (path === '/session/end') state.endSessionRequests++;
      if (state.holdAnswer) holdRedirectToSp(res);
      callback(req, res);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, host, () => resolve());
  });
  return {
    issuer,
    port: o.port,
    caFile: ca.certFile,
    clientId,
    clientSecret,
    get user() {
      return state.user;
    },
    set user(user: OidcUser) {
      state.user = user;
    },
    get tokenRequests() {
      return state.tokenRequests;
    },
    get authRequests() {
      return state.authRequests;
    },
    get endSessionRequests() {
      return state.endSessionRequests;
    },
    get holdAnswer() {
      return state.holdAnswer;
    },
    set holdAnswer(hold: boolean) {
      state.holdAnswer = hold;
      state.heldAnswer = undefined;
    },
    get heldAnswer() {
      return state.heldAnswer;
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
