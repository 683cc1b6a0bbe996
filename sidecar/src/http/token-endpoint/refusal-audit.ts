// The audit trail of refused token requests, flood-proof. Each refusal gets its own line until,
// within one window, FREE_LINES refusals have come from one client address or carried one
// reason; further ones are counted instead and written as one summary line per address (or
// reason) when the window ends: the count, and the first and last reasons. A flood of bad API
// keys or bad rooms then writes a few lines a window, not a line a request (issue 13 measured
// 1 MB of log a second). Issued tokens are never summarised: audit-token logs each one.
// Memory is bounded as in rate-limit.ts: at most MAX_KEYS tracked keys per window, later ones
// share one overflow key.
import type { Logger } from '../../log';

export const WINDOW_MS = 10_000;
export const FREE_LINES = 5;
const MAX_KEYS = 10_000;
const OVERFLOW = 'overflow';

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

interface Tally {
  seen: number;
  summarised: number;
  firstReason?: string;
  lastReason?: string;
}

type SummaryKey = { clientAddress: string } | { reason: string };

export class RefusalAudit {
  private readonly refusedLog: Logger;
  private readonly summaryLog: Logger;
  private windowStart: number;
  private byAddress = new Map<string, Tally>();
  private byReason = new Map<string, Tally>();
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

  record(fields: RefusalFields): void {
    const address = tally(this.byAddress, `${fields.endpoint} ${fields.clientAddress}`);
    const reason = tally(this.byReason, `${fields.endpoint} ${fields.reason}`);
    address.seen++;
    reason.seen++;
    if (address.seen <= FREE_LINES && reason.seen <= FREE_LINES) {
      this.refusedLog.info(fields, 'token refused');
      return;
    }
    // Counted once, under the address when that is what floods, else under the reason.
    const into = address.seen > FREE_LINES ? address : reason;
    into.summarised++;
    into.firstReason ??= fields.reason;
    into.lastReason = fields.reason;
  }

  /** Writes the window's summaries and starts a new window. */
  endWindow(): void {
    const windowStart = new Date(this.windowStart).toISOString();
    const seconds = Math.round((this.now() - this.windowStart) / 1000);
    this.summarise(this.byAddress, (key) => ({ clientAddress: key }), windowStart, seconds);
    this.summarise(this.byReason, (key) => ({ reason: key }), windowStart, seconds);
    this.byAddress = new Map();
    this.byReason = new Map();
    this.windowStart = this.now();
  }

  /** Stops the window timer and writes what is pending (on drain). */
  close(): void {
    clearInterval(this.timer);
    this.endWindow();
  }

  private summarise(tallies: Map<string, Tally>, keyOf: (key: string) => SummaryKey, windowStart: string, windowSeconds: number): void {
    for (const [key, t] of tallies) {
      if (t.summarised === 0) continue;
      const space = key.indexOf(' ');
      this.summaryLog.warn(
        {
          endpoint: key.slice(0, space),
          ...keyOf(key.slice(space + 1)),
          count: t.summarised,
          firstReason: t.firstReason,
          lastReason: t.lastReason,
          windowStart,
          windowSeconds,
        },
        'token refusals summarised',
      );
    }
  }
}

function tally(tallies: Map<string, Tally>, key: string): Tally {
  let t = tallies.get(key);
  if (t === undefined) {
    const slot = tallies.size < MAX_KEYS ? key : `${key.slice(0, key.indexOf(' '))} ${OVERFLOW}`;
    t = tallies.get(slot) ?? { seen: 0, summarised: 0 };
    tallies.set(slot, t);
  }
  return t;
}
