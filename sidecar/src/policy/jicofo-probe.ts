// Advanced mode: "has this room already started?", asked of every Jicofo's REST /debug output.
// Unlike the reference: exact room match (never substring), every call bounded in time and size,
// all endpoints asked in parallel, and when none answers we fail closed. A burst of guests for one
// private room asks once: concurrent questions about a room share one request, an answer is
// reused for cfg.answerTtlMs, and at most cfg.maxQuestions rooms are asked about at once (more
// are refused, never queued: a queue would hold requests while Jicofo hangs).
import type { JicofoConfig } from '../config/config';
import type { Logger } from '../log';
import type { Room } from '../meeting/room';
import { Refusal } from '../refusal';

/** Stop reading a /debug answer past this size: a busy Jicofo stays far below it. */
export const MAX_DEBUG_BODY_BYTES = 5 * 1024 * 1024;

// A room JID, with an optional resource: `room@muc.meet.jitsi`, `[tenant]room@conference.x/focus`.
const JID = /^([^@/\s]+)@([A-Za-z0-9.-]+\.[A-Za-z0-9-]+)(?:\/.*)?$/;
// Component domains that are never MUC services (the focus user lives on auth.<domain>).
const NOT_MUC = /^(auth|internal[a-z-]*|recorder|hidden)\./i;

/** Every conference local part (`room` or `[tenant]room`, lower-cased) found anywhere in the JSON. */
export function conferenceNames(debug: unknown): Set<string> {
  const names = new Set<string>();
  const consider = (s: string): void => {
    const m = JID.exec(s);
    if (m && !NOT_MUC.test(m[2] as string)) names.add((m[1] as string).toLowerCase());
  };
  // Iterative walk: a hostile or broken answer may be nested deeper than the call stack.
  const stack: unknown[] = [debug];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node === 'string') consider(node);
    else if (Array.isArray(node)) for (const item of node) stack.push(item);
    else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        consider(key);
        stack.push(value);
      }
    }
  }
  return names;
}

/** The MUC local part Jicofo shows for a room (its backend-safe name): `[tenant]room` in a tenant, else `room`. */
export function conferenceLocalPart(room: Room, tenant: string | undefined): string {
  return tenant ? `[${tenant.toLowerCase()}]${room.backendSafe}` : room.backendSafe;
}

async function readCapped(res: Response, limit: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new Error(`answer larger than ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} after ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

async function askEndpoint(url: URL, target: string, cfg: JicofoConfig, overall: AbortSignal): Promise<boolean> {
  const signal = AbortSignal.any([AbortSignal.timeout(cfg.callTimeoutMs), overall]);
  const call = (async () => {
    const res = await fetch(url, { signal, redirect: 'error', headers: { accept: 'application/json' } });
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new Error(`HTTP ${res.status}`);
    }
    const text = await readCapped(res, MAX_DEBUG_BODY_BYTES);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error('answer is not JSON');
    }
    return conferenceNames(json).has(target);
  })();
  // The abort signal normally ends the call; the deadline is the guarantee if it does not.
  return withDeadline(call, cfg.callTimeoutMs + 50, 'timed out');
}

const where = (url: URL): string => `${url.protocol}//${url.host}${url.pathname}`;

/** What one JicofoConfig's probe shares between requests, keyed by conference local part. */
interface SharedAnswers {
  asking: Map<string, Promise<boolean>>;
  /** Insertion order is expiry order (one TTL; a key is deleted before it is set again). */
  answers: Map<string, { started: boolean; until: number }>;
}
const sharedAnswers = new WeakMap<JicofoConfig, SharedAnswers>();
/** Answers kept at most, whatever their age: bounded memory whatever the traffic. */
const MAX_ANSWERS = 10_000;

function sharedFor(cfg: JicofoConfig): SharedAnswers {
  let shared = sharedAnswers.get(cfg);
  if (!shared) {
    shared = { asking: new Map(), answers: new Map() };
    sharedAnswers.set(cfg, shared);
  }
  return shared;
}

function remember({ answers }: SharedAnswers, target: string, started: boolean, ttlMs: number): void {
  if (ttlMs <= 0) return;
  const now = Date.now();
  for (const [key, answer] of answers) {
    if (answer.until > now && answers.size < MAX_ANSWERS) break;
    answers.delete(key);
  }
  answers.delete(target);
  answers.set(target, { started, until: now + ttlMs });
}

/**
 * True when any Jicofo lists the room, false when those that answered do not.
 * Throws Refusal('unavailable', 'jicofo_unreachable') when not one endpoint answered, and
 * Refusal('unavailable', 'jicofo_busy') when cfg.maxQuestions other rooms are being asked about.
 */
export async function roomStarted(room: Room, tenant: string | undefined, cfg: JicofoConfig, log: Logger): Promise<boolean> {
  if (cfg.endpoints.length === 0) return false;
  const target = conferenceLocalPart(room, tenant);
  const shared = sharedFor(cfg);
  const known = shared.answers.get(target);
  if (known && known.until > Date.now()) return known.started;
  let asking = shared.asking.get(target);
  if (!asking) {
    if (shared.asking.size >= cfg.maxQuestions) {
      throw new Refusal('unavailable', 'jicofo_busy', 'Cannot check whether the meeting has started; please try again.');
    }
    asking = askJicofo(target, cfg, log)
      .then((started) => {
        remember(shared, target, started, cfg.answerTtlMs);
        return started;
      })
      .finally(() => shared.asking.delete(target)); // a failure is not remembered: the next request asks again
    shared.asking.set(target, asking);
  }
  return asking;
}

/** One question to every endpoint about the conference local part `target`. */
async function askJicofo(target: string, cfg: JicofoConfig, log: Logger): Promise<boolean> {
  const overall = new AbortController();
  const overallTimer = setTimeout(() => overall.abort(new Error('overall timeout')), cfg.totalTimeoutMs);
  try {
    return await new Promise<boolean>((resolveOnce, rejectOnce) => {
      let finished = false;
      const resolve = (v: boolean): void => {
        finished = true;
        resolveOnce(v);
      };
      const reject = (e: Refusal): void => {
        finished = true;
        rejectOnce(e);
      };
      let pending = cfg.endpoints.length;
      let answered = 0;
      const failures: string[] = [];
      const settleOne = (): void => {
        if (--pending > 0) return;
        if (answered > 0) resolve(false);
        else {
          log.warn({ endpoints: failures }, 'no Jicofo endpoint answered; refusing the private room (fail closed)');
          reject(new Refusal('unavailable', 'jicofo_unreachable', 'Cannot check whether the meeting has started; please try again.'));
        }
      };
      for (const url of cfg.endpoints) {
        askEndpoint(url, target, cfg, overall.signal).then(
          (listed) => {
            answered++;
            if (listed) resolve(true); // the first "yes" decides; the others are cut off below
            settleOne();
          },
          (err: unknown) => {
            if (finished) return; // cut off after the answer was known
            const cause = err instanceof Error ? (err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message) : String(err);
            failures.push(`${where(url)}: ${cause}`);
            log.debug({ endpoint: where(url), err: cause }, 'Jicofo endpoint failed');
            settleOne();
          },
        );
      }
    });
  } finally {
    clearTimeout(overallTimer);
    overall.abort(new Error('done'));
  }
}
