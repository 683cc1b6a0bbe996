// The audit trail of refused token requests, flood-proof and not blindable by one flooder.
// Each refusal is counted against its source: on the front endpoint the user our SP vouched for
// (every user reaches us from the SP's address, so counting by address would let one signed-in
// user's flood turn everyone's refusals into a count), else the client address. A source gets a
// line per refusal until, within one window, FREE_LINES of its refusals were written; its further
// ones are counted into its summary. Each reason also writes lines for its first FREE_LINES
// sources only, which catches one reason sent from many sources (bad API keys from many
// addresses): other sources' refusals of it go into the reason's summary. One source takes one
// such place however much it sends, so its flood cannot push another source's refusal into a count.
// SECURITY_REASONS are never summarised: one line each, always. A summary line, written when the
// window ends, gives the count per reason and the distinct user ids (at most MAX_USER_IDS).
// Issued tokens are never summarised: audit-token logs each one. Memory is bounded as in
// rate-limit.ts: at most MAX_KEYS tracked keys per window, later ones share one overflow tally.
import type { Logger } from '../../log';

export const WINDOW_MS = 10_000;
export const FREE_LINES = 5;
/** Distinct user ids one summary line names; `moreUserIds` says when there were more. */
export const MAX_USER_IDS = 10;
/** Refusals an operator must be able to see one by one, whatever else floods the log. */
export const SECURITY_REASONS: ReadonlySet<string> = new Set(['untrusted_proxy', 'wrong_idp', 'wrong_issuer', 'private_room', 'policy_denied', 'room_mismatch']);
const MAX_KEYS = 10_000;

/** The fields of one refusal's audit line (never a token or secret). */
export interface RefusalFields {
  endpoint: string;
  clientAddress: string;
  reason: string;
  status: number;
  userId?: string | undefined;
  room?: string | undefined;
  tenant?: string | undefined;
}

/** Whom a refusal counts against: the user our SP vouched for, or else the peer's address. */
export type RefusalSource = { userId: string } | { clientAddress: string };

/** What a summary line is about: one source, one reason, or the overflow of a full window. */
type SummaryLabel = RefusalSource | { reason: string } | { overflow: true };

/** The refusals counted instead of written, made on the first one (most tallies never need it). */
interface Summary {
  count: number;
  reasons: Map<string, number>;
  userIds: Set<string>;
  moreUserIds: boolean;
}

interface Tally {
  endpoint: string;
  label: SummaryLabel;
  /** A source's refusals this window. */
  seen: number;
  /** A reason's sources that write lines this window (at most FREE_LINES). */
  sources?: Set<string>;
  summary?: Summary;
}

type Tallies = Map<string, Tally>;

export class RefusalAudit {
  private readonly refusedLog: Logger;
  private readonly summaryLog: Logger;
  private windowStart: number;
  private bySource: Tallies = new Map();
  private byReason: Tallies = new Map();
  private readonly timer: NodeJS.Timeout;

  constructor(
    log: Logger,
    private readonly now: () => number = Date.now,
    windowMs = WINDOW_MS,
  ) {
    // Fixed fields bound once in child loggers, as audit-token does for issued tokens.
    this.refusedLog = log.child({ event: 'token_refused' });
    this.summaryLog = log.child({ event: 'token_refused_summary' });
    this.windowStart = now();
    // The window ends on a timer, so the summary of a flood that stopped is still written.
    this.timer = setInterval(() => this.endWindow(), windowMs);
    this.timer.unref();
  }

  record(fields: RefusalFields, source: RefusalSource): void {
    if (SECURITY_REASONS.has(fields.reason)) {
      this.refusedLog.info(fields, 'token refused');
      return;
    }
    const { endpoint, reason } = fields;
    const sourceKey = 'userId' in source ? `u ${source.userId}` : `a ${source.clientAddress}`;
    const bySource = tally(this.bySource, endpoint, sourceKey, source);
    if (++bySource.seen > FREE_LINES) return count(bySource, fields);
    const byReason = tally(this.byReason, endpoint, reason, { reason });
    const sources = (byReason.sources ??= new Set());
    if (!sources.has(sourceKey)) {
      if (sources.size >= FREE_LINES) return count(byReason, fields);
      sources.add(sourceKey);
    }
    this.refusedLog.info(fields, 'token refused');
  }

  /** Writes the window's summaries and starts a new window. */
  endWindow(): void {
    const windowStart = new Date(this.windowStart).toISOString();
    const windowSeconds = Math.round((this.now() - this.windowStart) / 1000);
    for (const tallies of [this.bySource, this.byReason]) {
      for (const { endpoint, label, summary } of tallies.values()) {
        if (!summary) continue;
        this.summaryLog.warn(
          {
            endpoint,
            ...label,
            count: summary.count,
            reasons: Object.fromEntries(summary.reasons),
            userIds: [...summary.userIds],
            ...(summary.moreUserIds ? { moreUserIds: true } : {}),
            windowStart,
            windowSeconds,
          },
          'token refusals summarised',
        );
      }
    }
    this.bySource = new Map();
    this.byReason = new Map();
    this.windowStart = this.now();
  }

  /** Stops the window timer and writes what is pending (on drain). */
  close(): void {
    clearInterval(this.timer);
    this.endWindow();
  }
}

/** The window's tally for `endpoint` + `key`, or the endpoint's overflow tally once the map is full. */
function tally(tallies: Tallies, endpoint: string, key: string, label: SummaryLabel): Tally {
  const slot = `${endpoint} ${key}`;
  const known = tallies.get(slot);
  if (known) return known;
  const full = tallies.size >= MAX_KEYS;
  const at = full ? `${endpoint} \u0000overflow` : slot;
  let t = tallies.get(at);
  if (!t) {
    t = { endpoint, label: full ? { overflow: true } : label, seen: 0 };
    tallies.set(at, t);
  }
  return t;
}

function count(t: Tally, { reason, userId }: RefusalFields): void {
  const summary = (t.summary ??= { count: 0, reasons: new Map(), userIds: new Set(), moreUserIds: false });
  summary.count++;
  // Reasons are the sidecar's own codes, a short fixed list: this map stays small.
  summary.reasons.set(reason, (summary.reasons.get(reason) ?? 0) + 1);
  if (userId === undefined || summary.userIds.has(userId)) return;
  if (summary.userIds.size < MAX_USER_IDS) summary.userIds.add(userId);
  else summary.moreUserIds = true;
}
