// `npm run bench:federation`: what a large federation costs the SP, as an aggregate and through MDQ
// (issue 20 §3). A benchmark, not a test and not part of CI: it prints a table and exits 0 unless
// something could not run. Needs Debian's shibd, Apache + mod_shib and xmlsec1 (test/e2e/install-deps.sh).
//
// A synthetic signed aggregate of FEDERATION_IDPS IdPs (default 10,000; at least 5,000), shaped like
// eduGAIN entries, is served over HTTP to the SP's "federation" variant; the same IdPs, one signed
// answer each, come from an MDQ responder to the "mdq" variant. For each, first start and restart:
// shibd's time from spawn to its socket (what the image's entrypoint waits for), to the Status
// handler through Apache, its RSS then and at its peak, and the first login request for one IdP
// (Login?entityID=…, answered with the redirect to that IdP).
//   FEDERATION_IDPS            number of IdPs (default 10000; the figures want at least 5,000, fewer for a smoke run)
//   FEDERATION_BENCH_TIMEOUT   seconds the whole run may take (default 1800)
import { createServer } from 'node:http';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSigner, signMetadata, signMetadataFile } from '../test/e2e/support/federation-signer';
import { httpGet } from '../test/e2e/support/http-request';
import { startMdqResponder } from '../test/e2e/support/mdq-responder';
import { freePort } from '../test/e2e/support/ports';
import { ProcessGroup } from '../test/e2e/support/processes';
import { ensureDir, spLayout, startSp, type SpLayout } from '../test/e2e/support/sp';
import { certificatePool, idpEntityId, syntheticIdp, writeAggregate } from './synthetic-federation';

const IDPS = Math.max(10, Number(process.env.FEDERATION_IDPS ?? 10000));
const TIMEOUT_S = Number(process.env.FEDERATION_BENCH_TIMEOUT ?? 1800);
const PUBLIC_URL = 'https://meet.example.test';
/** The IdPs a user picks, in order (the first one is "the first lookup"). */
const LOOKUPS = [...new Set([Math.ceil(IDPS / 2), 1, IDPS, Math.ceil(IDPS / 7), Math.ceil(IDPS / 3)])];

interface Memory {
  rssMb: number;
  peakMb: number;
}

interface Measurement {
  setup: string;
  shibdReadyS: number;
  readyS: number;
  atReady: Memory;
  firstLookupMs: number;
  otherLookupsMs: number;
  afterLookups: Memory;
}

function memory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/** One login request for IdP `i`: ms until the SP answers with its redirect to that IdP. */
async function lookup(port: number, i: number): Promise<number> {
  const url = `http://127.0.0.1:${port}/saml2jwt/Shibboleth.sso/Login?entityID=${encodeURIComponent(idpEntityId(i))}&target=${encodeURIComponent(`${PUBLIC_URL}/`)}`;
  const started = performance.now();
  const res = await httpGet(url, {}, 60000);
  const ms = performance.now() - started;
  const location = String(res.headers.location ?? '');
  if (res.status !== 302 || !location.startsWith(`https://idp.uni${i}.example.edu/`)) {
    throw new Error(`Login for IdP ${i}: ${res.status} ${location || res.body.slice(0, 300)}`);
  }
  return ms;
}

async function measure(setup: string, group: ProcessGroup, layout: SpLayout, env: Record<string, string>, port: number): Promise<Measurement> {
  process.stderr.write(`federation bench: ${setup}...\n`);
  const sp = await startSp(group, { layout, env: { PUBLIC_URL, SIDECAR_URL: 'http://127.0.0.1:9', SIDECAR_PROXY_SECRET: 'b'.repeat(40), SHIBD_START_TIMEOUT: String(TIMEOUT_S), ...env }, startTimeoutMs: TIMEOUT_S * 1000 }, port);
  const pid = group.pid('shibd');
  if (pid === undefined) throw new Error('no shibd pid');
  const atReady = memory(pid);
  const [first, ...others] = LOOKUPS;
  const firstLookupMs = await lookup(port, first as number);
  let otherMs = 0;
  for (const i of others) otherMs += await lookup(port, i);
  const afterLookups = memory(pid);
  await group.stop('sp-apache');
  await group.stop('shibd');
  return { setup, shibdReadyS: sp.shibdReadyMs / 1000, readyS: sp.readyMs / 1000, atReady, firstLookupMs, otherLookupsMs: otherMs / others.length, afterLookups };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'saml2jwt-federation-bench-'));
  chmodSync(dir, 0o711);
  const group = new ProcessGroup(ensureDir(join(dir, 'logs')));
  const closers: Array<() => Promise<void>> = [];
  const deadline = setTimeout(() => {
    process.stderr.write(`federation bench: gave up after ${TIMEOUT_S} s\n`);
    void group.stopAll().finally(() => process.exit(1));
  }, TIMEOUT_S * 1000);
  try {
    const load = loadavg().map((l) => l.toFixed(2)).join(' ');
    const work = ensureDir(join(dir, 'federation'));
    const pool = certificatePool(work, 24);
    const signer = makeSigner(work, 'federation');

    let t = performance.now();
    const unsigned = join(work, 'aggregate-unsigned.xml');
    const signed = join(work, 'aggregate.xml');
    writeAggregate(unsigned, IDPS, pool);
    signMetadataFile(unsigned, signed, signer);
    rmSync(unsigned);
    const aggregate = readFileSync(signed);
    process.stderr.write(`federation bench: ${IDPS} IdPs, ${(aggregate.length / 1e6).toFixed(1)} MB signed in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
    const server = createServer((_req, res) => void res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(aggregate));
    const serverPort = await freePort();
    await new Promise<void>((resolve) => server.listen(serverPort, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const mdq = await startMdqResponder();
    closers.push(mdq.close);
    const validUntil = new Date(Date.now() + 14 * 86400e3);
    for (const i of LOOKUPS) mdq.serve(idpEntityId(i), signMetadata(syntheticIdp(i, pool, { namespaces: true, id: `_idp${i}`, validUntil }), signer));
    const answerKb = Buffer.byteLength(syntheticIdp(LOOKUPS[0] as number, pool, { namespaces: true })) / 1024;

    const common = { SSO_URL: 'https://ds.example.test/ds', METADATA_SIGNING_CERT: signer.certFile };
    const aggregateEnv = { ...common, SHIBBOLETH_TEMPLATE_XML: 'federation', METADATA_URL: `http://127.0.0.1:${serverPort}/aggregate.xml` };
    const mdqEnv = { ...common, SHIBBOLETH_TEMPLATE_XML: 'mdq', MDQ_URL: mdq.baseUrl };
    const port = await freePort();
    const results: Measurement[] = [];
    const aggregateSp = spLayout(join(dir, 'sp-aggregate'));
    results.push(await measure('aggregate, first start', group, aggregateSp, aggregateEnv, port));
    const backing = statSync(join(aggregateSp.shibCacheDir, readdirSync(aggregateSp.shibCacheDir).find((f) => f.endsWith('.xml')) as string)).size;
    results.push(await measure('aggregate, restart', group, aggregateSp, aggregateEnv, port));
    const mdqSp = spLayout(join(dir, 'sp-mdq'));
    results.push(await measure('MDQ, first start', group, mdqSp, mdqEnv, port));
    results.push(await measure(`MDQ, restart (${LOOKUPS.length} answers cached)`, group, mdqSp, mdqEnv, port));

    const f = (n: number, digits = 2): string => n.toFixed(digits);
    console.log(`\nSP with a large federation: ${IDPS} IdPs, aggregate ${f(aggregate.length / 1e6, 1)} MB signed (backing file ${f(backing / 1e6, 1)} MB); one MDQ answer ${f(answerKb, 1)} KB`);
    console.log(`load average at start: ${load}, at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${LOOKUPS.length} IdPs looked up per run\n`);
    console.log('| setup | shibd socket (s) | Status OK (s) | RSS at ready (MB) | peak RSS (MB) | first login request (ms) | next ones (ms, mean) | RSS after (MB) |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of results) {
      console.log(`| ${r.setup} | ${f(r.shibdReadyS)} | ${f(r.readyS)} | ${f(r.atReady.rssMb, 0)} | ${f(r.afterLookups.peakMb, 0)} | ${f(r.firstLookupMs, 0)} | ${f(r.otherLookupsMs, 0)} | ${f(r.afterLookups.rssMb, 0)} |`);
    }
    console.log(`\nMDQ answers asked: ${mdq.requests.length} (a restart reads the cached ones back instead)`);
  } finally {
    clearTimeout(deadline);
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await group.stopAll();
    if (process.env.BENCH_KEEP_TMP) process.stderr.write(`federation bench: kept ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : String(err));
  process.exit(1);
});
