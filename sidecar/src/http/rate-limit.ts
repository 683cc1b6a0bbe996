// Fixed-window rate limit: the backend API's per client address and per API key (backend-guard),
// the front's per user (redirect-with-token/limit-user-rate).
// Memory is bounded: the window's counters are dropped wholesale when it ends, and at most
// MAX_KEYS distinct keys are tracked per window (later ones share one overflow counter).
import { Refusal } from '../refusal';

const WINDOW_MS = 60_000;
const MAX_KEYS = 10_000;
const OVERFLOW = '\u0000overflow';

export class RateLimited extends Refusal {
  constructor(readonly retryAfterSeconds: number) {
    super('rate_limited', 'rate_limited', 'Too many requests; try again later.');
  }
}

export class RateLimiter {
  private windowStart = 0;
  private counts = new Map<string, number>();

  /** limitPerMinute <= 0 turns the limit off. */
  constructor(
    private readonly limitPerMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request for `key`; throws RateLimited once the window's budget is spent. */
  take(key: string): void {
    if (this.limitPerMinute <= 0) return;
    const now = this.now();
    if (now - this.windowStart >= WINDOW_MS) {
      this.windowStart = now; // windows start with traffic, not on the wall-clock minute
      this.counts.clear();
    }
    const slot = this.counts.has(key) || this.counts.size < MAX_KEYS ? key : OVERFLOW;
    const used = (this.counts.get(slot) ?? 0) + 1;
    this.counts.set(slot, used);
    if (used > this.limitPerMinute) {
      throw new RateLimited(Math.max(1, Math.ceil((this.windowStart + WINDOW_MS - now) / 1000)));
    }
  }
}
