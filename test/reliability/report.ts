// `npm run report:reliability`: runs the reliability tier (fuzz >= 10,000 requests, faults, SIGTERM,
// soak) and the quick abuse/holes tests, then prints ONE table of the figures they recorded.
//   --from <results.json>   only print the table from an earlier run's results
//   SOAK_SECONDS, SOAK_RATE, FUZZ_SEED, FUZZ_SCALE, FAULT_ROUNDS are passed through to the tests.
// Exits non-zero when a test failed or a figure is outside its bound.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './child-sidecar';
import { readResults } from './results';

type Section = Record<string, unknown> & { recordedAt?: string };

function runMocha(resultsFile: string, files: string[]): Promise<{ passing: number; failing: number; code: number }> {
  return new Promise((resolve) => {
    const mocha = require.resolve('mocha/bin/mocha.js', { paths: [ROOT] });
    const child = spawn(process.execPath, [mocha, ...files], { cwd: ROOT, env: { ...process.env, RELIABILITY_RESULTS: resultsFile }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      process.stdout.write(c);
    });
    child.on('exit', (code) => {
      const n = (re: RegExp): number => Number(re.exec(out)?.[1] ?? 0);
      resolve({ passing: n(/(\d+) passing/), failing: n(/(\d+) failing/), code: code ?? 1 });
    });
  });
}

const num = (v: unknown): string => (typeof v === 'number' ? v.toLocaleString('en-US') : v === undefined ? 'n/a' : String(v));

function table(results: Record<string, Section>, tests?: { passing: number; failing: number }): { text: string; ok: boolean } {
  const rows: [string, string, string][] = [];
  let ok = true;
  const row = (what: string, value: unknown, bound: string, pass?: boolean): void => {
    const verdict = pass === undefined ? '' : pass ? 'ok' : 'FAIL';
    if (pass === false) ok = false;
    rows.push([what, num(value), bound ? `${bound} ${verdict}`.trim() : verdict]);
  };
  const fuzz = results.fuzz as Section | undefined;
  if (fuzz) {
    const per = (fuzz.perSurface ?? {}) as Record<string, number>;
    row('fuzz: seed (FUZZ_SEED)', String(fuzz.seed), '');
    row('fuzz: requests fuzzed', fuzz.requests, '>= 10,000', Number(fuzz.requests) >= 10_000);
    row('  front / backend / validate / raw socket', `${num(per.front)} / ${num(per.backend)} / ${num(per.validate)} / ${num(per.raw)}`, '');
    row('fuzz: tokens issued (each checked with Prosody rules)', fuzz.tokensIssued, '');
    row('fuzz: tokens wrongly issued', fuzz.tokensWronglyIssued, '= 0', fuzz.tokensWronglyIssued === 0);
    row('fuzz: 5xx answers', fuzz.status5xx, '= 0', fuzz.status5xx === 0);
    row('fuzz: invariant violations', fuzz.violations, '= 0', fuzz.violations === 0);
  } else row('fuzz', 'not run', '', false);
  const faults = results.faults as Section | undefined;
  const jicofo = faults?.jicofo as Section | undefined;
  if (jicofo) {
    const g = jicofo.growth as { heapMb: number; rssMb: number };
    const each = (faults?.each ?? {}) as Record<string, { survived: boolean }>;
    const kinds = jicofo.faults as string[];
    const survived = kinds.filter((k) => each[k]?.survived).length;
    row('faults: Jicofo failure kinds injected / survived', `${kinds.length} / ${survived}`, 'all fail closed < 2 s', survived === kinds.length);
    row('faults: failed Jicofo probes (memory run)', jicofo.requests, '');
    row('faults: heap growth after gc (MB)', g.heapMb.toFixed(1), '< 16', g.heapMb < 16);
    row('faults: RSS growth, second half (MB)', jicofo.lateRssGrowth, '< 24', Number(jicofo.lateRssGrowth) < 24);
    row('faults: bytes read of a 50 MB answer (MB)', Number(jicofo.hugeMbPerRequest).toFixed(1), '< 12 (5 MB cap)', Number(jicofo.hugeMbPerRequest) < 12);
  } else row('faults: Jicofo', 'not run', '', false);
  const policy = faults?.policy as Section | undefined;
  row('faults: policy file replaced while running', policy ? `${(policy.survived as string[]).length} of 5 survived` : 'not run', 'old policy, whole', policy ? (policy.survived as string[]).length === 5 : false);
  const sig = faults?.sigterm as Section | undefined;
  if (sig) {
    const statuses = sig.statuses as Record<string, number>;
    row('SIGTERM under load: exit code / seconds', `${sig.exitCode} / ${Number(sig.exitSeconds).toFixed(2)}`, '0 / < 10', sig.exitCode === 0 && Number(sig.exitSeconds) < 10);
    row('SIGTERM: tokens issued = redirects received', `${num(sig.tokensIssued)} = ${num(statuses['302'])}`, 'equal', sig.tokensIssued === statuses['302']);
    row('SIGTERM: new connection after the signal', sig.freshConnection, 'ECONNREFUSED', sig.freshConnection === 'ECONNREFUSED');
    row('SIGTERM: client errors (never-read requests)', JSON.stringify(sig.errorCodes), '');
  } else row('SIGTERM under load', 'not run', '', false);
  const soak = results.soak as Section | undefined;
  if (soak) {
    row(`soak: ${soak.seconds} s, requests (90 % valid / 10 % refused)`, soak.requests, '');
    row('soak: req/s achieved', soak.rate, `>= ${Math.round(Number(soak.targetRate) * 0.9)}`, Number(soak.rate) >= Number(soak.targetRate) * 0.9);
    row('soak: p50 / p99 / max latency (ms)', `${soak.p50ms} / ${soak.p99ms} / ${soak.maxMs}`, 'p99 < 250', Number(soak.p99ms) < 250);
    row('soak: errors (unexpected status + socket + timeouts)', Number(soak.unexpected) + Number(soak.socketErrors) + Number(soak.timeouts), '= 0', Number(soak.unexpected) + Number(soak.socketErrors) + Number(soak.timeouts) === 0);
    row('soak: RSS start / after warm-up / end (MB)', `${soak.rssStartMb} / ${soak.rssBaselineMb} / ${soak.rssEndMb}`, '');
    row('soak: RSS growth after warm-up', `${soak.rssGrowthPct} %`, '<= 10 %', Number(soak.rssGrowthPct) <= 10);
  } else row('soak', 'not run', '', false);
  row('covered elsewhere: setup failed and killed before each write', 'test/unit/scripts/setup-apply.test.ts', '');
  row('covered elsewhere: shibd killed (e2e tier)', 'test/e2e/shibd-fault.test.ts', '');
  if (tests) row('tests (reliability tier + abuse/holes)', `${tests.passing} passing, ${tests.failing} failing`, '0 failing', tests.failing === 0);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => (r[i] as string).length), 8));
  const line = (r: string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  const sep = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return { text: [line(['figure', 'value', 'bound']), sep, ...rows.map(line)].join('\n'), ok };
}

async function main(): Promise<number> {
  const fromIndex = process.argv.indexOf('--from');
  if (fromIndex > 0) {
    const file = process.argv[fromIndex + 1];
    if (!file) throw new Error('--from needs a results.json path');
    const { text, ok } = table(readResults(file) as Record<string, Section>);
    console.log(text);
    return ok ? 0 : 1;
  }
  const file = join(mkdtempSync(join(tmpdir(), 'saml2jwt-reliability-')), 'results.json');
  const tests = await runMocha(file, ['test/reliability/**/*.test.ts', 'test/http/abuse-*.test.ts', 'test/http/holes-*.test.ts']);
  const { text, ok } = table(readResults(file) as Record<string, Section>, tests);
  console.log(`\nReliability report (results: ${file})\n${text}`);
  return ok && tests.code === 0 ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
