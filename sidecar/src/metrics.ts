// Prometheus metrics on their own Registry (never prom-client's global one, so tests and
// several servers in one process do not collide). Label children are resolved once and cached:
// the hot path does a Map lookup and an increment, no label hashing.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  tokenIssued(endpoint: string): void;
  tokenRefused(endpoint: string, reason: string): void;
  /** Request latency by route (a fixed set of names, never a raw path). */
  observeRequest(route: string, seconds: number): void;
}

type Child = { inc(): void };
type HistogramChild = { observe(value: number): void };

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'saml2jwt_' });

  const issued = new Counter({
    name: 'saml2jwt_tokens_issued_total',
    help: 'Tokens issued, by endpoint',
    labelNames: ['endpoint'] as const,
    registers: [registry],
  });
  const refused = new Counter({
    name: 'saml2jwt_tokens_refused_total',
    help: 'Token requests refused, by endpoint and reason',
    labelNames: ['endpoint', 'reason'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'saml2jwt_http_request_duration_seconds',
    help: 'HTTP request latency, by route',
    labelNames: ['route'] as const,
    // A token takes 0.2-3 ms of the sidecar (more with RS256 and a large key, bench/README.md):
    // fine steps up to 5 ms, so a quantile of this histogram says something; the coarse bounds
    // of earlier versions are all still there.
    buckets: [0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0015, 0.002, 0.0025, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5],
    registers: [registry],
  });

  const issuedChildren = new Map<string, Child>();
  const refusedChildren = new Map<string, Child>();
  const latencyChildren = new Map<string, HistogramChild>();

  return {
    registry,
    tokenIssued(endpoint) {
      let child = issuedChildren.get(endpoint);
      if (!child) issuedChildren.set(endpoint, (child = issued.labels(endpoint)));
      child.inc();
    },
    tokenRefused(endpoint, reason) {
      const key = `${endpoint}\u0000${reason}`;
      let child = refusedChildren.get(key);
      if (!child) refusedChildren.set(key, (child = refused.labels(endpoint, reason)));
      child.inc();
    },
    observeRequest(route, seconds) {
      let child = latencyChildren.get(route);
      if (!child) latencyChildren.set(route, (child = latency.labels(route)));
      child.observe(seconds);
    },
  };
}
