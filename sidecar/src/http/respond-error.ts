// The one place where anything thrown while handling a request becomes a response.
// Refusal → its status; Koa/http-errors client errors → their 4xx; anything else is a bug
// of ours → a generic 500 (logged with its stack, never shown). No response carries a token.
import type Koa from 'koa';
import { Refusal, statusOfRefusal } from '../refusal';
import type { HttpDeps } from './deps';
import { ERROR_PAGE_CSP, renderErrorPage, type WayOnLinks } from './error-page';
import { FRONT_PREFIX } from './front-app';
import { sendPage } from './html-page';
import { POPUP_PAGE_CSP, popupScript } from './popup-page';
import { meetingRequestQuery, parseMeetingRequest, type MeetingRequest } from '../meeting/meeting-request';
import { readParams } from './query';
import type { TokenState } from './token-endpoint/state';

export interface ErrorOutcome {
  status: number;
  /** Stable machine code: logged, counted, shown. */
  reason: string;
  /** Short human sentence, safe to show. */
  message: string;
}

/** 'popup': the html page, also telling the Jitsi page that opened the login popup (oauth-error). */
export type ErrorStyle = 'html' | 'json' | 'popup';

interface ClientError {
  status?: unknown;
  expose?: unknown;
  message?: unknown;
}

export function classifyError(err: unknown): ErrorOutcome {
  if (err instanceof Refusal) return { status: statusOfRefusal[err.kind], reason: err.reason, message: err.message };
  const e = (typeof err === 'object' && err !== null ? err : {}) as ClientError;
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500 && e.expose === true) {
    return { status: e.status, reason: 'bad_request', message: 'The request could not be understood.' };
  }
  return { status: 500, reason: 'internal', message: 'Something went wrong on our side. Please try again later.' };
}

/** Where a browser that was refused a token goes instead, if the operator set AUTH_ERROR_PAGE. */
export interface AuthErrorContext {
  tenant?: string;
  room?: string;
}

/** The app's error middleware: everything thrown below it is answered by respondError. */
export function mapErrors(style: ErrorStyle, deps: HttpDeps): Koa.Middleware<TokenState> {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      // The popup's opener waits for a message: it answers here, not on AUTH_ERROR_PAGE.
      const popup = style === 'html' && ctx.state.popupOpener === true;
      const authError = ctx.state.authErrorPage === true && !popup ? authErrorContext(ctx.state) : undefined;
      respondError(ctx, err, popup ? 'popup' : style, deps, authError, style === 'html' ? wayOnLinks(ctx) : {});
    }
  };
}

function authErrorContext({ meeting }: TokenState): AuthErrorContext {
  // Only values that passed validation go back out.
  const context: AuthErrorContext = {};
  if (meeting) {
    context.room = meeting.room.given;
    if (meeting.tenant !== undefined) context.tenant = meeting.tenant;
  }
  return context;
}

/**
 * Where the ways on of a refused login lead, once its meeting was parsed: the same login again
 * (built from the validated values only), directly or through the SP's logout, which ends the
 * session at the SP (and at the IdP, when it takes part in single logout) so that the IdP asks
 * who is signing in. Shibboleth takes a return path on its own host (LocalLogoutInitiator:
 * "Relative URLs get promoted"), so these work in path and host mode alike.
 */
function wayOnLinks(ctx: Koa.ParameterizedContext<TokenState>): WayOnLinks {
  const meeting = ctx.state.meeting ?? meetingAsked(ctx.querystring);
  if (!meeting) return {};
  const login = `${FRONT_PREFIX}/redirectWithToken?${meetingRequestQuery(meeting)}`;
  return { retry: login, switchAccount: `${FRONT_PREFIX}/Shibboleth.sso/Logout?return=${encodeURIComponent(login)}` };
}

/** The meeting a request refused before parseMeeting (an identity refusal) asked for, if it is valid. */
function meetingAsked(querystring: string): MeetingRequest | undefined {
  try {
    return parseMeetingRequest(readParams(querystring));
  } catch {
    return undefined;
  }
}

export function respondError(
  ctx: Koa.Context,
  err: unknown,
  style: ErrorStyle,
  deps: HttpDeps,
  authError?: AuthErrorContext,
  links: WayOnLinks = {},
): ErrorOutcome {
  const outcome = classifyError(err);
  if (outcome.status === 500) deps.log.error({ err, path: ctx.path }, 'unexpected error while handling a request');

  // Whatever a step already set (a Location, a token body) must not survive into the error response.
  ctx.remove('Location');
  ctx.set('Cache-Control', 'no-store');
  ctx.set('X-Content-Type-Options', 'nosniff');
  if (err instanceof Refusal && 'retryAfterSeconds' in err && typeof err.retryAfterSeconds === 'number') {
    ctx.set('Retry-After', String(err.retryAfterSeconds));
  }
  if (outcome.status === 401 && style === 'json') ctx.set('WWW-Authenticate', 'Bearer');

  const page = deps.cfg.authErrorPage;
  // Untrusted stays a plain 401: a direct hit on the sidecar is not a user to send anywhere.
  if (authError && page !== undefined && outcome.reason !== 'untrusted_proxy' && outcome.status !== 401) {
    const target = deps.urls.authError(page, { ...authError, reason: outcome.reason });
    if (target !== undefined) {
      ctx.status = 302;
      ctx.set('Location', target);
      ctx.set('Referrer-Policy', 'no-referrer');
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = ''; // not null: Koa would turn a null body into a 204
      return outcome;
    }
  }

  ctx.status = outcome.status;
  if (style === 'json') {
    ctx.type = 'application/json; charset=utf-8';
    ctx.body = { error: outcome.reason, message: outcome.message };
  } else {
    const popup = style === 'popup';
    const post = popup
      ? popupScript({ message: { type: 'oauth-error', error: outcome.reason }, origin: deps.cfg.publicUrl.origin, close: false })
      : '';
    sendPage(ctx, popup ? POPUP_PAGE_CSP : ERROR_PAGE_CSP, renderErrorPage(outcome, links, post));
  }
  return outcome;
}
