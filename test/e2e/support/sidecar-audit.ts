// What the running sidecar says about itself: its JSON-lines log (as the ProcessGroup captured
// it under <stack dir>/logs/sidecar.log) and the counters on its backend /metrics listener.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { httpGet } from './http-request';

export interface LogLine {
  event?: string;
  msg?: string;
  [key: string]: unknown;
}

/** Every JSON line the sidecar has written so far (its audit lines are flushed every 500 ms). */
export function sidecarLog(stackDir: string): LogLine[] {
  const file = join(stackDir, 'logs', 'sidecar.log');
  if (!existsSync(file)) return [];
  const lines: LogLine[] = [];
  for (const text of readFileSync(file, 'utf8').split('\n')) {
    if (!text.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(text) as LogLine);
    } catch {
      // a line still being written
    }
  }
  return lines;
}

/** The backend listener's port, from the sidecar's own "listening" line (the stack does not export it). */
export function sidecarBackendPort(stackDir: string): number {
  const listening = sidecarLog(stackDir).find((l) => l.msg === 'listening');
  const port = (listening?.backend as { port?: unknown } | undefined)?.port;
  if (typeof port !== 'number') throw new Error('the sidecar has not logged its backend port');
  return port;
}

/** The sum over all label sets of one Prometheus counter (0 when it has no samples yet). */
export async function counterTotal(backendPort: number, name: string, labelFilter = ''): Promise<number> {
  const res = await httpGet(`http://127.0.0.1:${backendPort}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  let total = 0;
  for (const line of res.body.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (match && match[1] === name && (match[2] ?? '').includes(labelFilter)) total += Number(match[3]);
  }
  return total;
}
