// `npm run bench`: the built sidecar against a bare node:http + HMAC baseline, on 127.0.0.1.
// A benchmark, not a test: it prints a table and exits 0 unless something could not run.
// Sidecar and baseline take turns (ROUNDS rounds per route) and the table shows medians, so a
// burst of load from elsewhere on a shared machine hits both rather than skewing one.
//   BENCH_SECONDS   measured seconds per turn (default 5, i.e. 15 s per target and route; 1 for a smoke run)
//   BENCH_PROFILE=1 start the sidecar with --cpu-prof (profile written to bench/profiles/)
//   BENCH_LOG_LEVEL sidecar LOG_LEVEL (default info, i.e. with one audit line per token)
//   BENCH_NODE_OPTIONS the sidecar's NODE_OPTIONS (default: the image's, from sidecar/Dockerfile; '' for Node's own)
// Two refusal routes (a bad room through the SP, a wrong API key) run on the sidecar alone: their
// figures are compared with the success path of the same run, since turning a request away must
// cost no more than serving one (issue 13).
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { imageNodeOptions } from '../test/support/image-node-options';
import { median } from './support/percentiles';
import { cpuSeconds } from './support/process-cpu';

const ROOT = resolve(__dirname, '..');
const SECONDS = Math.max(1, Math.min(10, Number(process.env.BENCH_SECONDS ?? 5)));
const WARMUP_SECONDS = Math.min(2, SECONDS);
const ROUNDS = 3;
const CONNECTIONS = 32;
const PROFILE = process.env.BENCH_PROFILE === '1';
const NODE_OPTIONS = process.env.BENCH_NODE_OPTIONS ?? imageNodeOptions();

const secret = (): string => randomBytes(32).toString('hex');

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => done(port));
    });
  });
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

function status(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((done) => {
    const req = request(url, { headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode ?? 0));
    });
    req.on('error', () => done(0));
    req.end();
  });
}

/** Polls until `url` answers `want`; returns the ms since `since`. */
async function firstSuccess(url: string, headers: Record<string, string>, want: number, since: bigint): Promise<number> {
  for (let i = 0; i < 2000; i++) {
    if ((await status(url, headers)) === want) return Number(process.hrtime.bigint() - since) / 1e6;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${url} never answered ${want}`);
}

type Expect = '2xx' | '3xx' | '4xx';

interface Route {
  route: string;
  path: string;
  listener: 'front' | 'backend';
  headers: Record<string, string>;
  expect: Expect;
  /** A refusal route: sidecar only, compared with this success route of the same run. */
  refusalOf?: string;
}

interface Target {
  name: string;
  proc: ChildProcess;
  front: number;
  backend: number;
}

interface Run {
  target: string;
  route: string;
  rps: number;
  p50: number;
  p99: number;
  unexpected: number;
  /** Server CPU time per request: much less sensitive to a busy machine than req/s. */
  cpuUsPerReq: number;
  rssMaxMb?: number;
  /** Bytes of log the sidecar wrote per request (its audit lines). */
  logBytesPerReq?: number;
}

async function load(url: string, headers: Record<string, string>, seconds: number, expect: Expect, pid: number, sidecarLog?: string): Promise<Omit<Run, 'target' | 'route'>> {
  let rssMax = 0;
  const sampleRss = sidecarLog !== undefined;
  const logBefore = sampleRss ? statSync(sidecarLog).size : 0;
  const sampler = sampleRss ? setInterval(() => (rssMax = Math.max(rssMax, rssMb(pid))), 250) : undefined;
  const cpuBefore = cpuSeconds(pid);
  const result = await autocannon({ url, headers, connections: CONNECTIONS, duration: seconds });
  const cpu = cpuSeconds(pid) - cpuBefore;
  if (sampler) clearInterval(sampler);
  const run: Omit<Run, 'target' | 'route'> = {
    cpuUsPerReq: (cpu * 1e6) / Math.max(1, result.requests.total),
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    unexpected: result.requests.total - result[expect] + result.errors,
  };
  if (sampleRss) {
    run.rssMaxMb = rssMax;
    await new Promise((r) => setTimeout(r, 600)); // the destination's periodic flush (log.ts)
    run.logBytesPerReq = (statSync(sidecarLog).size - logBefore) / Math.max(1, result.requests.total);
  }
  return run;
}

/** Per-column medians of one target's turns; unexpected responses are summed, RSS is the max. */
function medianRun(turns: Run[]): Run {
  const first = turns[0] as Run;
  const run: Run = {
    target: first.target,
    route: first.route,
    rps: median(turns.map((t) => t.rps)),
    p50: median(turns.map((t) => t.p50)),
    p99: median(turns.map((t) => t.p99)),
    cpuUsPerReq: median(turns.map((t) => t.cpuUsPerReq)),
    unexpected: turns.reduce((sum, t) => sum + t.unexpected, 0),
  };
  if (first.rssMaxMb !== undefined) run.rssMaxMb = Math.max(...turns.map((t) => t.rssMaxMb ?? 0));
  if (first.logBytesPerReq !== undefined) run.logBytesPerReq = median(turns.map((t) => t.logBytesPerReq ?? 0));
  return run;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'saml2jwt-bench-'));
  const appSecret = secret();
  const proxySecret = secret();
  const apiKey = secret();
  const [sFront, sBackend, bFront, bBackend] = [await freePort(), await freePort(), await freePort(), await freePort()] as [number, number, number, number];
  const envFile = join(dir, 'bench.env');
  writeFileSync(
    envFile,
    [
      'JWT_APP_ID=bench',
      `JWT_APP_SECRET=${appSecret}`,
      'PUBLIC_URL=https://meet.example.org',
      `SIDECAR_PROXY_SECRET=${proxySecret}`,
      `SIDECAR_PORT=${sFront}`,
      `BACKEND_PORT=${sBackend}`,
      'ENABLE_BACKEND_JWT_REQUEST=true',
      `BACKEND_API_KEY=${apiKey}`,
      'BACKEND_RATE_LIMIT=1000000',
      'FRONT_RATE_LIMIT=0',
      `LOG_LEVEL=${process.env.BENCH_LOG_LEVEL ?? 'info'}`,
    ].join('\n') + '\n',
  );
  const sidecarLog = join(dir, 'sidecar.log');
  const logFd = openSync(sidecarLog, 'w'); // audit lines go somewhere real, as in a container
  const profileDir = join(ROOT, 'bench/profiles');
  if (PROFILE) mkdirSync(profileDir, { recursive: true });

  const frontHeaders = { 'x-saml2jwt-proxy-secret': proxySecret, mail: 'alice@uni.example', displayname: 'Alice Example', eppn: 'alice@uni.example' };
  const backendHeaders = { authorization: `Bearer ${apiKey}` };
  const redirectPath = '/redirectWithToken?room=Standup&tenant=acme';
  const getTokenPath = '/getToken?mail=alice%40uni.example&name=Alice&room=Standup&tenant=acme';

  const spawnedAt = process.hrtime.bigint();
  const sidecarArgs = [...(PROFILE ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), join(ROOT, 'dist/sidecar/src/main.js'), '--env-file', envFile];
  const sidecar: Target = {
    name: 'sidecar',
    proc: spawn(process.execPath, sidecarArgs, { cwd: dir, env: { ...process.env, NODE_OPTIONS }, stdio: ['ignore', logFd, 'inherit'] }),
    front: sFront,
    backend: sBackend,
  };
  const targets: Target[] = [sidecar];
  try {
    const coldStartMs = await firstSuccess(`http://127.0.0.1:${sBackend}${getTokenPath}`, backendHeaders, 200, spawnedAt);
    const baseline: Target = {
      name: 'baseline',
      proc: spawn(process.execPath, [join(ROOT, 'dist/bench/baseline-server.js'), String(bFront), String(bBackend), appSecret], { stdio: 'inherit' }),
      front: bFront,
      backend: bBackend,
    };
    targets.push(baseline);
    await firstSuccess(`http://127.0.0.1:${bBackend}${getTokenPath}`, {}, 200, process.hrtime.bigint());
    await new Promise((r) => setTimeout(r, 1000));
    const idleRss = rssMb(sidecar.proc.pid as number);

    const runs: Run[] = [];
    const routes: Route[] = [
      { route: '/redirectWithToken', path: redirectPath, listener: 'front', headers: frontHeaders, expect: '3xx' },
      { route: '/getToken', path: getTokenPath, listener: 'backend', headers: backendHeaders, expect: '2xx' },
      // A flood of bad rooms through the SP, and of wrong API keys: 400 and 401.
      { route: '/redirectWithToken room=*', path: '/redirectWithToken?room=*&tenant=acme', listener: 'front', headers: frontHeaders, expect: '4xx', refusalOf: '/redirectWithToken' },
      { route: '/getToken wrong key', path: getTokenPath, listener: 'backend', headers: { authorization: `Bearer ${secret()}` }, expect: '4xx', refusalOf: '/getToken' },
    ];
    for (const r of routes) {
      const turns: Run[] = [];
      const targetsOfRoute = r.refusalOf === undefined ? [baseline, sidecar] : [sidecar];
      for (const t of targetsOfRoute) {
        process.stderr.write(`bench: warm-up ${t.name} ${r.route} (${WARMUP_SECONDS}s)\n`);
        await load(`http://127.0.0.1:${t[r.listener]}${r.path}`, r.headers, WARMUP_SECONDS, r.expect, t.proc.pid as number);
      }
      for (let round = 1; round <= ROUNDS; round++) {
        for (const t of targetsOfRoute) {
          process.stderr.write(`bench: round ${round}/${ROUNDS} ${t.name} ${r.route} (${SECONDS}s)\n`);
          const url = `http://127.0.0.1:${t[r.listener]}${r.path}`;
          turns.push({ target: t.name, route: r.route, ...(await load(url, r.headers, SECONDS, r.expect, t.proc.pid as number, t === sidecar ? sidecarLog : undefined)) });
        }
      }
      for (const t of targetsOfRoute) runs.push(medianRun(turns.filter((x) => x.target === t.name)));
    }

    const fmt = (n: number, d = 0): string => n.toFixed(d);
    const lines = [
      `connections ${CONNECTIONS}; medians of ${ROUNDS} alternating ${SECONDS}s turns per target after ${WARMUP_SECONDS}s warm-up; node ${process.version}, sidecar NODE_OPTIONS '${NODE_OPTIONS}'`,
      '',
      '| route | target | req/s | p50 ms | p99 ms | ratio | CPU µs/req | CPU ratio | unexpected |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|',
    ];
    for (const r of routes.filter((x) => x.refusalOf === undefined)) {
      const base = runs.find((x) => x.route === r.route && x.target === 'baseline') as Run;
      for (const x of runs.filter((y) => y.route === r.route)) {
        const ratio = x.target === 'sidecar' ? fmt(x.rps / base.rps, 2) : '';
        // base CPU per request / ours: the throughput ratio we would reach on an idle core
        const cpuRatio = x.target === 'sidecar' ? fmt(base.cpuUsPerReq / x.cpuUsPerReq, 2) : '';
        lines.push(`| ${x.route} | ${x.target} | ${fmt(x.rps)} | ${fmt(x.p50, 1)} | ${fmt(x.p99, 1)} | ${ratio} | ${fmt(x.cpuUsPerReq)} | ${cpuRatio} | ${x.unexpected} |`);
      }
    }
    lines.push(
      '',
      '| refusal route | req/s | p50 ms | p99 ms | req/s ÷ success | CPU µs/req | success CPU ÷ refusal CPU (≥ 1: no dearer than a token) | log bytes/req (success) | unexpected |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const r of routes.filter((x) => x.refusalOf !== undefined)) {
      const refused = runs.find((x) => x.route === r.route) as Run;
      const served = runs.find((x) => x.route === r.refusalOf && x.target === 'sidecar') as Run;
      lines.push(
        `| ${r.route} | ${fmt(refused.rps)} | ${fmt(refused.p50, 1)} | ${fmt(refused.p99, 1)} | ${fmt(refused.rps / served.rps, 2)} | ${fmt(refused.cpuUsPerReq)} | ${fmt(served.cpuUsPerReq / refused.cpuUsPerReq, 2)} | ${fmt(refused.logBytesPerReq ?? 0, 1)} (${fmt(served.logBytesPerReq ?? 0)}) | ${refused.unexpected} |`,
      );
    }
    const loadedRss = Math.max(...runs.map((r) => r.rssMaxMb ?? 0));
    lines.push('', `sidecar RSS idle ${fmt(idleRss, 1)} MB, under load (max) ${fmt(loadedRss, 1)} MB`, `cold start (spawn → first token) ${fmt(coldStartMs)} ms`);
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    for (const t of targets) t.proc.kill('SIGTERM');
    await Promise.all(targets.map((t) => new Promise((r) => (t.proc.exitCode !== null ? r(null) : t.proc.once('exit', r)))));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
