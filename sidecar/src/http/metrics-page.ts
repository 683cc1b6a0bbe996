// GET /metrics (backend listener only): Prometheus text from our own registry.
import type Koa from 'koa';
import type { Metrics } from '../metrics';

export function metricsPage(metrics: Metrics): Koa.Middleware {
  return async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  };
}
