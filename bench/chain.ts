// `npm run bench:chain`: what a user waits for. The real SP stack the e2e tier runs (Debian's
// Apache + mod_shib + shibd, the SimpleSAMLphp test IdP, the built sidecar; test/e2e/support),
// loaded on 127.0.0.1 with plain HTTP clients (bench/chain/), for each signing mode in the same run:
//   renewal        a client that holds an SP session asks /saml2jwt/redirectWithToken (1 request)
//   sidecar alone  the same request sent straight to the sidecar as Apache sends it (the SP's
//                  headers and proxy secret, one connection per request): the sidecar's whole part
//   first login    a fresh cookie jar: SP → IdP → login form → SAMLResponse to the ACS → sidecar's 302
// Each turn: closed loop, N clients, CHAIN_SECONDS (default 5) after a 1 s warm-up of the same
// load. Turns go leg by leg, the modes taking turns within a leg (so a change in the machine's
// load hits every mode alike); the sidecar is restarted with the next mode's settings.
// Requests go to the SP's port as Jitsi's nginx sends them (its X-Forwarded-* headers, one
// connection per request); the nginx itself (TLS, one proxy hop) is not part of the chain measured.
// Where the time goes: the sidecar's own latency histogram (/metrics, route redirectWithToken) and
// the CPU time of each part's processes (/proc). FRONT_RATE_LIMIT=0: the bench's few users send
// far more than a person could, and the per-user limit would refuse them.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createJwtKey } from '../scripts/jwt-keys';
import { tokenAuthUrl } from '../test/e2e/support/browser';
import { httpGet } from '../test/e2e/support/http-request';
import { waitFor } from '../test/e2e/support/processes';
import { ensureSidecarBuilt } from '../test/e2e/support/sidecar';
import { sidecarBackendPort } from '../test/e2e/support/sidecar-audit';
import { startServices, type Services, type StackSidecarOptions } from '../test/e2e/support/stack';
import { imageNodeOptions } from '../test/support/image-node-options';
import { closedLoop, type LoadResult } from './chain/closed-loop';
import { CookieJar } from './chain/cookie-jar';
import { LoopbackNet } from './chain/loopback-client';
import { histogramDelta, histogramQuantile, readHistogram, type Histogram } from './chain/prometheus-histogram';
import { landOnMeeting, type Credentials } from './chain/saml-login';
import { summarize, type LatencySummary } from './support/percentiles';
import { cpuSecondsOfGroups } from './support/process-cpu';

const SECONDS = Math.max(1, Math.min(20, Number(process.env.CHAIN_SECONDS ?? 5)));
const WARMUP_SECONDS = 1;
/** The whole run is cut off after this, whatever happens (the default run takes about 2.5 min). */
const HARD_LIMIT_MS = 10 * 60_000;
const RENEWAL_CLIENTS = [1, 10, 50];
const SIDECAR_ALONE_CLIENTS = [1, 10];
const LOGIN_CLIENTS = [1, 10];
const USERS: Credentials[] = [
  { user: 'alice', password: 'alice-pass' },
  { user: 'bob', password: 'bob-pass' },
];
const ROUTE_METRIC = 'saml2jwt_http_request_duration_seconds';

type LegKind = 'renewal' | 'sidecar' | 'login';
interface Leg {
  kind: LegKind;
  clients: number;
}
interface Mode {
  name: string;
  sidecar: StackSidecarOptions;
}

interface Turn {
  mode: string;
  leg: Leg;
  load: LoadResult;
  latency: LatencySummary;
  /** The sidecar's own time for /redirectWithToken during the turn. */
  sidecar: Histogram;
  /** CPU seconds used during the turn. */
  cpu: { sidecar: number; sp: number; idp: number; client: number };
  /** For logins: ms spent in requests to the IdP and to the SP (sidecar included), summed. */
  idpMs: number;
  spMs: number;
  loadAverage: number;
}

function modes(keyRoot: string): Mode[] {
  const common = { appId: 'saml2jwt-bench', xmppDomain: 'meet.jitsi' };
  const env = { FRONT_RATE_LIMIT: '0', NODE_OPTIONS: imageNodeOptions() };
  const rs256 = (bits: number): Mode => {
    const dir = join(keyRoot, `rsa${bits}`);
    mkdirSync(dir, { mode: 0o700 });
    const key = createJwtKey(new Date(), bits);
    writeFileSync(join(dir, key.name), key.pem, { mode: 0o600 });
    return { name: `RS256 (RSA ${bits})`, sidecar: { ...common, env: { ...env, JWT_SIGNING: 'RS256', JWT_KEYS_DIR: dir } } };
  };
  return [{ name: 'HS256', sidecar: { ...common, appSecret: randomBytes(32).toString('hex'), env } }, rs256(2048), rs256(3072)];
}

async function sidecarHistogram(port: number): Promise<Histogram> {
  const res = await httpGet(`http://127.0.0.1:${port}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return readHistogram(res.body, ROUTE_METRIC, { route: 'redirectWithToken' });
}

function machine(): string {
  const versions = (() => {
    try {
      return execFileSync('dpkg-query', ['-W', '-f=${Package} ${Version}, ', 'apache2', 'libapache2-mod-shib', 'shibboleth-sp-utils', 'simplesamlphp'], { encoding: 'utf8' }).replace(/, $/, '');
    } catch {
      return 'package versions unknown';
    }
  })();
  return `${availableParallelism()} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GB, Linux ${release()}, node ${process.version}; ${versions}`;
}

/** What the SP's Apache sends the sidecar for alice (locations.conf): her attributes as headers, and the proxy secret. */
function spHeadersForAlice(s: Services): Record<string, string> {
  return {
    'x-saml2jwt-proxy-secret': s.proxySecret,
    'shib-identity-provider': s.idp.entityId,
    'pairwise-id': '78c737d8eef86e8fefd956725d00fae8@example.test',
    eppn: 'alice@example.test',
    mail: 'alice@example.test',
    displayname: 'Alice Example',
    givenname: 'Alice',
    sn: 'Example',
    affiliation: 'staff@example.test;member@example.test',
    entitlement: 'urn:mace:example.test:jitsi:moderator',
    schachomeorganization: 'example.test',
  };
}

async function main(): Promise<void> {
  ensureSidecarBuilt();
  const keyRoot = mkdtempSync(join(tmpdir(), 'saml2jwt-bench-chain-keys-'));
  let stack: Services | undefined;
  let stopping: Promise<void> | undefined;
  const cleanUp = (): Promise<void> =>
    (stopping ??= (async () => {
      if (stack) await stack.stop();
      rmSync(keyRoot, { recursive: true, force: true });
    })());
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench:chain: over ${HARD_LIMIT_MS / 60000} min, stopping\n`);
    void cleanUp().finally(() => process.exit(1));
  }, HARD_LIMIT_MS);
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
  const loadAtStart = loadavg()[0] as number;
  const startedAt = new Date();
  try {
    const all = modes(keyRoot);
    const first = all[0] as Mode;
    process.stderr.write('bench:chain: starting the stack (shibd, Apache, SimpleSAMLphp, sidecar)\n');
    const s = (stack = await startServices({ backend: first.sidecar }));
    let current = first;
    const publicOrigin = new URL(s.publicUrl).origin;
    const idpOrigin = new URL(s.idp.entityId).origin;
    const net = new LoopbackNet([
      // What Jitsi's nginx sends on to the SP (compose-overlay/nginx/saml2jwt.conf).
      { origin: publicOrigin, port: s.sp.port, headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': new URL(publicOrigin).host, 'x-forwarded-for': '127.0.0.1', 'x-real-ip': '127.0.0.1' } },
      { origin: idpOrigin, port: Number(new URL(idpOrigin).port), tls: { ca: readFileSync(s.idp.tlsCa, 'utf8') } },
    ]);
    const start = new URL(tokenAuthUrl(s.publicUrl, 'Standup', ''));
    const land = (jar: CookieJar, client: number) => landOnMeeting(net, start, jar, USERS[client % USERS.length] as Credentials, publicOrigin, publicOrigin);
    // The sidecar's front listener, with the headers Apache builds for alice from her SAML attributes.
    const sidecarOrigin = `http://127.0.0.1:${s.backendPort}`;
    const sidecarNet = new LoopbackNet([{ origin: sidecarOrigin, port: s.backendPort, headers: spHeadersForAlice(s) }]);
    const sidecarStart = new URL(start.pathname + start.search, sidecarOrigin);
    const askSidecar = () => landOnMeeting(sidecarNet, sidecarStart, new CookieJar(), USERS[0] as Credentials, publicOrigin, sidecarOrigin);
    // Its backend listener, where /metrics is (the same port after each restart).
    let metricsPort = 0;
    await waitFor('the sidecar\'s "listening" line', () => ((metricsPort = sidecarBackendPort(s.dir)), true));

    // One SP session per renewal client, made by logging in once (untimed).
    const sessions = Array.from({ length: Math.max(...RENEWAL_CLIENTS) }, () => new CookieJar());
    process.stderr.write(`bench:chain: ${sessions.length} logins for the renewal clients' sessions\n`);
    for (let i = 0; i < sessions.length; i += 10) await Promise.all(sessions.slice(i, i + 10).map((jar, j) => land(jar, i + j)));

    const pids = (): { sidecar: number; sp: number; shibd: number; idp: number } => {
      const pid = (name: string): number => {
        const p = s.group.pid(name);
        if (p === undefined) throw new Error(`no ${name} process`);
        return p;
      };
      return { sidecar: pid('sidecar'), sp: pid('sp-apache'), shibd: pid('shibd'), idp: pid('test-idp') };
    };

    const runTurn = async (mode: Mode, leg: Leg): Promise<Turn> => {
      let idpMs = 0;
      let spMs = 0;
      let counting = false;
      const once = async (client: number): Promise<void> => {
        if (leg.kind === 'renewal' || leg.kind === 'sidecar') {
          const l = leg.kind === 'renewal' ? await land(sessions[client] as CookieJar, client) : await askSidecar();
          if (l.requests !== 1) throw new Error(`${leg.kind} client ${client}: ${l.requests} requests for a token (an SP session lost?)`);
          return;
        }
        const l = await land(new CookieJar(), client);
        if (counting) {
          idpMs += l.idpMs;
          spMs += l.spMs;
        }
      };
      process.stderr.write(`bench:chain: ${mode.name}, ${leg.kind} × ${leg.clients} (${WARMUP_SECONDS}s warm-up, ${SECONDS}s)\n`);
      await closedLoop(leg.clients, WARMUP_SECONDS, once);
      const loadAverage = loadavg()[0] as number;
      const p = pids();
      const groups = [p.sidecar, p.sp, p.shibd, p.idp];
      const histogramBefore = await sidecarHistogram(metricsPort);
      const cpuBefore = cpuSecondsOfGroups(groups);
      const clientBefore = process.cpuUsage();
      counting = true;
      const load = await closedLoop(leg.clients, SECONDS, once);
      counting = false;
      const clientCpu = process.cpuUsage(clientBefore);
      const cpuAfter = cpuSecondsOfGroups(groups);
      const sidecar = histogramDelta(await sidecarHistogram(metricsPort), histogramBefore);
      const used = (g: number): number => (cpuAfter.get(g) ?? 0) - (cpuBefore.get(g) ?? 0);
      return {
        mode: mode.name,
        leg,
        load,
        latency: summarize(load.latenciesMs),
        sidecar,
        cpu: { sidecar: used(p.sidecar), sp: used(p.sp) + used(p.shibd), idp: used(p.idp), client: (clientCpu.user + clientCpu.system) / 1e6 },
        idpMs,
        spMs,
        loadAverage,
      };
    };

    const legs: Leg[] = [
      ...RENEWAL_CLIENTS.map((clients): Leg => ({ kind: 'renewal', clients })),
      ...SIDECAR_ALONE_CLIENTS.map((clients): Leg => ({ kind: 'sidecar', clients })),
      ...LOGIN_CLIENTS.map((clients): Leg => ({ kind: 'login', clients })),
    ];
    const turns: Turn[] = [];
    let order = all;
    for (const leg of legs) {
      for (const mode of order) {
        if (mode !== current) {
          await s.restartSidecar(mode.sidecar);
          current = mode;
        }
        turns.push(await runTurn(mode, leg));
      }
      order = [...order].reverse(); // the mode that ran last starts the next leg: one restart fewer
    }
    process.stdout.write(report(turns, all, { machine: machine(), startedAt, loadAtStart, loadAtEnd: loadavg()[0] as number }) + '\n');
  } finally {
    clearTimeout(watchdog);
    await cleanUp();
  }
}

const f = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const pct = (part: number, whole: number): string => (Number.isFinite(part / whole) ? `${((100 * part) / whole).toFixed(0)} %` : '–');

function report(turns: Turn[], all: Mode[], run: { machine: string; startedAt: Date; loadAtStart: number; loadAtEnd: number }): string {
  const loads = turns.map((t) => t.loadAverage);
  const of = (kind: LegKind): Turn[] => turns.filter((t) => t.leg.kind === kind);
  const perToken = (t: Turn, cpu: number): number => (1000 * cpu) / Math.max(1, t.latency.count);
  const ownMs = (t: Turn, q: number): number => 1000 * histogramQuantile(t.sidecar, q);
  const errors = (t: Turn): string => (t.load.errors ? `${t.load.errors} (${t.load.firstError})` : '0');
  const rate = (t: Turn, digits = 0): string => f(t.latency.count / t.load.seconds, digits);
  /** "a / b ms (a share / b share)" of the chain's p50 / p99. */
  const partOf = (chain: Turn, p50: number, p99: number): string => `${f(p50, 2)} / ${f(p99, 2)} (${pct(p50, chain.latency.p50)} / ${pct(p99, chain.latency.p99)})`;
  const lines = [
    `bench:chain ${run.startedAt.toISOString()}: ${run.machine}`,
    `load average (1 min) ${f(run.loadAtStart)} at the start, ${f(Math.min(...loads))}–${f(Math.max(...loads))} during the turns, ${f(run.loadAtEnd)} at the end; ${SECONDS}s per turn after ${WARMUP_SECONDS}s warm-up; sidecar NODE_OPTIONS '${imageNodeOptions()}', FRONT_RATE_LIMIT=0`,
    '',
    '- sidecar alone (1 client): the same request straight to the sidecar, as Apache sends it (its whole part, TCP and HTTP included); in brackets its share of the chain\'s p50 / p99',
    '- sidecar\'s own time: its /metrics histogram for /redirectWithToken (Koa, first middleware to response; interpolated within buckets)',
    '- CPU: ms of CPU per token from /proc: the sidecar, the SP (Apache + mod_shib + shibd), the IdP (Apache + PHP), the bench client; in brackets the sidecar\'s share of sidecar + SP (+ IdP)',
    '',
    '### Renewal (a client with an SP session: one request through Apache + mod_shib + shibd to the sidecar)',
    '',
    '| mode | clients | req/s | p50 ms | p99 ms | sidecar alone (1 client) p50 / p99 ms | sidecar\'s own time p50 / p99 ms | CPU ms/token: sidecar / SP / client | errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const t of of('renewal')) {
    // With one client the sidecar alone is the sidecar's part of a renewal; with more, it would take
    // every client's load itself, which Apache and shibd spread in the chain: its own table below.
    const alone = t.leg.clients === 1 ? of('sidecar').find((x) => x.mode === t.mode && x.leg.clients === 1) : undefined;
    lines.push(
      `| ${t.mode} | ${t.leg.clients} | ${rate(t)} | ${f(t.latency.p50)} | ${f(t.latency.p99)} | ${alone ? partOf(t, alone.latency.p50, alone.latency.p99) : '–'} | ${partOf(t, ownMs(t, 0.5), ownMs(t, 0.99))} | ${f(perToken(t, t.cpu.sidecar), 2)} / ${f(perToken(t, t.cpu.sp), 2)} / ${f(perToken(t, t.cpu.client), 2)} (${pct(t.cpu.sidecar, t.cpu.sidecar + t.cpu.sp)}) | ${errors(t)} |`,
    );
  }
  lines.push('', '### The sidecar alone (as Apache calls it: the SP\'s headers, one connection per request)', '', '| mode | clients | req/s | p50 ms | p99 ms | sidecar CPU ms/token | errors |', '|---|---:|---:|---:|---:|---:|---:|');
  for (const t of of('sidecar')) lines.push(`| ${t.mode} | ${t.leg.clients} | ${rate(t)} | ${f(t.latency.p50, 2)} | ${f(t.latency.p99, 2)} | ${f(perToken(t, t.cpu.sidecar), 2)} | ${errors(t)} |`);
  lines.push(
    '',
    '### First login (fresh cookie jar: SP → IdP → login form → SAMLResponse to the ACS → sidecar)',
    '',
    '| mode | clients | logins/s | p50 ms | p99 ms | mean ms at the IdP / at the SP | sidecar\'s own time p50 / p99 ms | CPU ms/login: sidecar / SP / IdP / client | errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const t of of('login')) {
    const n = Math.max(1, t.latency.count);
    lines.push(
      `| ${t.mode} | ${t.leg.clients} | ${rate(t, 1)} | ${f(t.latency.p50)} | ${f(t.latency.p99)} | ${f(t.idpMs / n)} / ${f(t.spMs / n)} | ${partOf(t, ownMs(t, 0.5), ownMs(t, 0.99))} | ${f(perToken(t, t.cpu.sidecar), 2)} / ${f(perToken(t, t.cpu.sp), 2)} / ${f(perToken(t, t.cpu.idp), 2)} / ${f(perToken(t, t.cpu.client), 2)} (${pct(t.cpu.sidecar, t.cpu.sidecar + t.cpu.sp + t.cpu.idp)}) | ${errors(t)} |`,
    );
  }
  // RS256 against HS256, per token at the chain level: latency, and the CPU of the whole chain.
  const hs = all[0] as Mode;
  const chainCpu = (t: Turn): number => perToken(t, t.cpu.sidecar + t.cpu.sp + t.cpu.idp);
  lines.push('', '### RS256 ÷ HS256 per token, at the chain level', '', '| leg | clients | mode | p50 ratio | p99 ratio | chain CPU per token ratio (sidecar + SP + IdP) |', '|---|---:|---|---:|---:|---:|');
  for (const t of turns.filter((x) => x.mode !== hs.name && x.leg.kind !== 'sidecar')) {
    const base = turns.find((x) => x.mode === hs.name && x.leg.kind === t.leg.kind && x.leg.clients === t.leg.clients);
    if (base) lines.push(`| ${t.leg.kind} | ${t.leg.clients} | ${t.mode} | ${f(t.latency.p50 / base.latency.p50, 2)} | ${f(t.latency.p99 / base.latency.p99, 2)} | ${f(chainCpu(t) / chainCpu(base), 2)} |`);
  }
  return lines.join('\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:chain: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
