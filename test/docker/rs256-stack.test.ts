// RS256 end to end through the containers: `setup --signing rs256` wires a checkout, our overlay
// plus saml2jwt-rs256.yml run it, a real browser logs in, and a container on meet.jitsi standing
// in for Prosody fetches the public key by service name, exactly at JWT_ASAP_KEYSERVER's
// <hex(sha256(kid))>.pem, and that key verifies the login's token. Nothing is published on the
// host, and a key added with `keys rotate` is served without a restart; one withdrawn with
// `keys revoke` leaves the key server, through the read-only mount, within the 10 s re-read, and
// the next login is signed with the remaining key. The sidecar is on meet.jitsi, yet only its
// backend port answers there: the front port is bound on saml2jwt-internal alone (SIDECAR_HOST),
// where the SP reaches it, also after a restart. With --ha as well, each of the two sidecar
// replicas serves the same keys, a rotated one included, and binds its front port to its own address.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser, newContext, submitIdpLogin, tokenAuthUrl } from '../e2e/support/browser';
import { asapKeyUrl, prosodyAcceptsAsap } from '../support/prosody-verifier';
import { docker, localBases, repoRoot, run, sleep, waitHealthy } from './docker-cli';
import { cliArgs, prosodyFor, stackHooks, startWiredStack, type WiredStack } from './wired-stack';
import { clientJwtFromUrl, clientTokenOf } from '../support/jitsi-client';

const projectName = 'saml2jwt-rs256';

/** Runs node in a throw-away container on meet.jitsi, as Prosody (or any Jitsi service) is. */
const fromMeetNetwork = async (stack: WiredStack, script: string, ...args: string[]): Promise<string> =>
  docker(['run', '--rm', '--network', `${stack.project.name}_meet.jitsi`, '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges:true', localBases.node, 'node', '-e', script, ...args], { timeoutMs: 60_000 });
const fetchText = `fetch(process.argv[1], { signal: AbortSignal.timeout(5000) }).then(async (r) => console.log(JSON.stringify({ status: r.status, body: await r.text() })), (e) => console.log(JSON.stringify({ error: String(e.cause?.code ?? e.name) })));`;
const getFromMeet = async (stack: WiredStack, url: string): Promise<{ status?: number; body?: string; error?: string }> => JSON.parse((await fromMeetNetwork(stack, fetchText, url)).trim());

/**
 * Who reaches which listener of each sidecar replica, as lines "<who> -> <what>: <answer>", and
 * the lines expected: GET /healthz from a container on meet.jitsi (by the names Jitsi's services
 * would use, and by each replica's address there) and from each SP replica (by SIDECAR_URL, and
 * by each sidecar replica's address on either network; the SP is on meet.jitsi too). An answer
 * is a status, or ECONNREFUSED when nothing listens at that address and port.
 */
async function listenerReach(stack: WiredStack): Promise<{ actual: string[]; expected: string[] }> {
  const meet = `${stack.project.name}_meet.jitsi`;
  const internal = `${stack.project.name}_saml2jwt-internal`;
  const replicas = await Promise.all((await stack.project.containersOf('saml2jwt')).map(async (id) => JSON.parse(await docker(['inspect', '--format', '{{json .NetworkSettings.Networks}}', id])) as Record<string, { IPAddress: string }>));
  const sps = await stack.project.containersOf('saml-sp');
  const spUrl = (await docker(['exec', sps[0] as string, 'printenv', 'SIDECAR_URL'])).trim();
  type Probe = { what: string; url: string; expected: number | 'ECONNREFUSED' };
  const fromMeet: Probe[] = [
    { what: 'front by saml2jwt.meet.jitsi', url: 'http://saml2jwt.meet.jitsi:8080/healthz', expected: 'ECONNREFUSED' },
    { what: 'front by saml2jwt', url: 'http://saml2jwt:8080/healthz', expected: 'ECONNREFUSED' },
    ...replicas.flatMap((n, i): Probe[] => [
      { what: `replica ${i} front on meet.jitsi`, url: `http://${n[meet]?.IPAddress}:8080/healthz`, expected: 'ECONNREFUSED' },
      { what: `replica ${i} backend on meet.jitsi`, url: `http://${n[meet]?.IPAddress}:8081/healthz`, expected: 200 },
    ]),
  ];
  const fromSp: Probe[] = [
    { what: `front by SIDECAR_URL ${spUrl}`, url: `${spUrl}/healthz`, expected: 200 },
    ...replicas.flatMap((n, i): Probe[] => [
      { what: `replica ${i} front on saml2jwt-internal`, url: `http://${n[internal]?.IPAddress}:8080/healthz`, expected: 200 },
      { what: `replica ${i} front on meet.jitsi`, url: `http://${n[meet]?.IPAddress}:8080/healthz`, expected: 'ECONNREFUSED' },
    ]),
  ];
  const probe = `Promise.all(process.argv.slice(1).map((u) => fetch(u, { signal: AbortSignal.timeout(5000) }).then((r) => r.status, (e) => String(e.cause?.code ?? e.name)))).then((r) => console.log(JSON.stringify(r)));`;
  const meetAnswers = JSON.parse((await fromMeetNetwork(stack, probe, ...fromMeet.map((p) => p.url))).trim()) as Array<number | string>;
  const line = (who: string, p: Probe, answer: number | string): string => `${who} -> ${p.what}: ${answer}`;
  const actual = fromMeet.map((p, i) => line('meet.jitsi', p, meetAnswers[i] as number | string));
  const expected = fromMeet.map((p) => line('meet.jitsi', p, p.expected));
  for (const [j, sp] of sps.entries()) {
    for (const p of fromSp) {
      // curl exits 7 when the connection is refused.
      const r = await run('docker', ['exec', sp, 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '5', p.url]);
      actual.push(line(`SP replica ${j}`, p, r.code === 0 ? Number(r.stdout) : r.code === 7 ? 'ECONNREFUSED' : `curl exit ${r.code}`));
      expected.push(line(`SP replica ${j}`, p, p.expected));
    }
  }
  return { actual, expected };
}

/** A real browser login through the test IdP; the RS256 token it lands with, and that token's kid. */
async function loginToken(stack: WiredStack, browser: Browser, room: string): Promise<{ token: string; kid: string }> {
  const page = await (await newContext(browser)).newPage();
  await page.goto(tokenAuthUrl(stack.publicUrl, room, ''));
  await submitIdpLogin(page, 'alice', 'alice-pass');
  await page.waitForURL((url) => clientJwtFromUrl(url.href).jwt !== undefined, { timeout: 60_000 });
  const token = clientTokenOf(page.url());
  const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()) as { alg: string; typ: string; kid: string };
  expect(header.alg).to.equal('RS256');
  expect(header.typ).to.equal('JWT');
  expect(header.kid).to.match(/^[A-Za-z0-9_-]{43}$/);
  return { token, kid: header.kid };
}

describe('docker: RS256 tokens and the key server (setup --signing rs256)', function () {
  this.timeout(30 * 60_000);
  let stack: WiredStack;
  let browser: Browser | undefined;

  before(async () => {
    stack = await startWiredStack({ name: projectName, setupFlags: ['--signing', 'rs256'], overlays: ['saml2jwt-rs256.yml'] });
  });

  stackHooks(() => ({ stack, browser }));

  it('setup wrote the .env for Prosody and no shared secret; the sidecar runs on meet.jitsi with nothing published', async () => {
    expect(stack.env.get('JWT_SIGN_TYPE')).to.equal('RS256');
    expect(stack.env.get('JWT_ASAP_KEYSERVER')).to.equal('http://saml2jwt.meet.jitsi:8081/asap');
    // Prosody's cache_keys_url, one Lua line of the main VirtualHost through XMPP_CONFIGURATION
    expect(stack.env.get('XMPP_CONFIGURATION')).to.equal('cache_keys_url = "http://saml2jwt.meet.jitsi:8081/.well-known/jwks.json"');
    expect(stack.env.has('JWT_APP_SECRET')).to.equal(false);
    expect(fs.existsSync(path.join(stack.project.configDir, 'saml2jwt', 'secrets', 'jwt_app_secret'))).to.equal(false);
    const id = await stack.project.containerOf('saml2jwt');
    const networks = JSON.parse(await docker(['inspect', '--format', '{{json .NetworkSettings.Networks}}', id])) as Record<string, { Aliases: string[] | null }>;
    expect(Object.keys(networks).sort()).to.deep.equal([`${stack.project.name}_meet.jitsi`, `${stack.project.name}_saml2jwt-internal`]);
    expect(networks[`${stack.project.name}_meet.jitsi`]?.Aliases).to.include('saml2jwt.meet.jitsi');
    // From the host the backend port is not reachable: no port of the sidecar is published.
    const bindings = JSON.parse(await docker(['inspect', '--format', '{{json .HostConfig.PortBindings}}', id])) as Record<string, unknown> | null;
    expect(bindings ?? {}).to.deep.equal({});
    expect((await docker(['port', id])).trim()).to.equal('');
    const env = await docker(['inspect', '--format', '{{json .Config.Env}}', id]);
    expect(env).to.contain('JWT_SIGNING=RS256').and.contain('JWT_KEYS_DIR=/config/jwt-keys').and.contain('"JWT_APP_SECRET_FILE="');
  });

  it('a real login gets an RS256 token whose key a container on meet.jitsi fetches by service name, and that key verifies it', async () => {
    browser = await launchBrowser();
    const { token, kid } = await loginToken(stack, browser, 'Standup');

    // The stand-in for Prosody asks exactly what Prosody asks: path.join(JWT_ASAP_KEYSERVER, hex(sha256(kid)) .. '.pem').
    const url = asapKeyUrl(stack.env.get('JWT_ASAP_KEYSERVER') ?? '', kid);
    expect(url).to.match(/^http:\/\/saml2jwt\.meet\.jitsi:8081\/asap\/[0-9a-f]{64}\.pem$/);
    const fetched = await getFromMeet(stack, url);
    expect(fetched.status, JSON.stringify(fetched)).to.equal(200);
    expect(fetched.body).to.match(/^-----BEGIN PUBLIC KEY-----\n/);
    // That PEM, as Prosody caches it per kid, verifies the token (the verifier fetches nothing more).
    const prosody = { ...prosodyFor(stack.env), keyServer: 'http://unreachable.invalid/asap', cache: new Map([[kid, fetched.body as string]]) };
    const verdict = await prosodyAcceptsAsap(token, { ...prosody, room: 'standup' });
    expect(verdict, JSON.stringify(verdict)).to.include({ ok: true });
    expect(await prosodyAcceptsAsap(token, { ...prosody, room: 'other' })).to.include({ ok: false });
    // An unknown kid is 404 on the same server.
    expect((await getFromMeet(stack, asapKeyUrl(stack.env.get('JWT_ASAP_KEYSERVER') ?? '', 'no-such-kid'))).status).to.equal(404);
  });

  it('keys rotate adds a key the running sidecar serves within seconds, without a restart', async () => {
    const jwks = async (): Promise<string[]> => {
      const r = await getFromMeet(stack, 'http://saml2jwt.meet.jitsi:8081/.well-known/jwks.json');
      return ((JSON.parse(r.body ?? '{"keys":[]}') as { keys: { kid: string }[] }).keys ?? []).map((k) => k.kid);
    };
    const before = await jwks();
    expect(before).to.have.length(1);
    const startedAt = (await docker(['inspect', '--format', '{{.State.StartedAt}}', await stack.project.containerOf('saml2jwt')])).trim();
    const rotated = await run(process.execPath, [...cliArgs, 'keys', 'rotate', '--jitsi-dir', stack.project.dir], { cwd: repoRoot, timeoutMs: 120_000 });
    expect(rotated.code, rotated.stderr).to.equal(0);
    const kid = /kid (\S+)/.exec(rotated.stdout)?.[1] as string;
    let after: string[] = before;
    for (let i = 0; i < 30 && !after.includes(kid); i++) {
      await sleep(1000);
      after = await jwks();
    }
    expect(after).to.deep.equal([...before, kid]);
    const key = await getFromMeet(stack, asapKeyUrl(stack.env.get('JWT_ASAP_KEYSERVER') ?? '', kid));
    expect(key.status).to.equal(200);
    expect((await docker(['inspect', '--format', '{{.State.StartedAt}}', await stack.project.containerOf('saml2jwt')])).trim()).to.equal(startedAt);
  });

  it('keys revoke: the running sidecar drops the kid within its 10 s re-read, without a restart, and the next login is signed with the remaining key', async () => {
    const served = async (): Promise<string[]> => {
      const r = await getFromMeet(stack, 'http://saml2jwt.meet.jitsi:8081/.well-known/jwks.json');
      return ((JSON.parse(r.body ?? '{"keys":[]}') as { keys: { kid: string }[] }).keys ?? []).map((k) => k.kid);
    };
    const [first, rotated] = (await served()) as [string, string];
    expect(rotated, 'the key rotate added above').to.be.a('string');
    const id = await stack.project.containerOf('saml2jwt');
    const startedAt = (await docker(['inspect', '--format', '{{.State.StartedAt}}', id])).trim();
    const revoked = await run(process.execPath, [...cliArgs, 'keys', 'revoke', first, '--jitsi-dir', stack.project.dir], { cwd: repoRoot, timeoutMs: 120_000 });
    expect(revoked.code, revoked.stderr).to.equal(0);
    expect(revoked.stdout).to.include(`Signing now: kid ${rotated}`).and.include(`cd ${stack.project.dir} && docker compose restart prosody`).and.include('leaves by itself within 94 minutes');
    const began = Date.now();
    let after = await served();
    while (after.includes(first) && Date.now() - began < 15_000) {
      await sleep(500);
      after = await served();
    }
    expect(after).to.deep.equal([rotated]);
    expect(Date.now() - began, 'within the 10 s re-read (and the time a container takes to ask)').to.be.below(15_000);
    expect((await getFromMeet(stack, asapKeyUrl(stack.env.get('JWT_ASAP_KEYSERVER') ?? '', first))).status).to.equal(404);
    browser ??= await launchBrowser();
    expect((await loginToken(stack, browser, 'Retro')).kid, 'the rotated key signs at once, its delay cut short').to.equal(rotated);
    expect((await docker(['inspect', '--format', '{{.State.StartedAt}}', id])).trim()).to.equal(startedAt);
  });

  it('doctor: the sidecar is on meet.jitsi for Prosody, no revoked kid is published; with no prosody here, the key server checks say so', async () => {
    const r = await run(process.execPath, [...cliArgs, 'doctor', stack.project.dir], { cwd: repoRoot, timeoutMs: 180_000 });
    const out = r.stdout + r.stderr;
    expect(r.code, out).to.equal(1);
    expect(out).to.match(/^ok\s+saml2jwt is on the meet\.jitsi network too, where Prosody fetches the RS256 public keys/m);
    expect(out).to.match(/^ok\s+saml2jwt publishes none of the 1 revoked kid\(s\)/m);
    expect(out).to.match(/^FAIL\s+prosody gets the public key of kid [A-Za-z0-9_-]{43} \(the signing key\) from JWT_ASAP_KEYSERVER/m);
    expect(out).to.match(/prosody is not running/);
    expect(out).not.to.match(/share JWT_APP_SECRET/);
  });

  it('the front port only on saml2jwt-internal: meet.jitsi gets the backend (key server) but "connection refused" on the front, the SP gets the front; the same after a restart', async () => {
    const before = await listenerReach(stack);
    expect(before.expected).to.include('SP replica 0 -> front by SIDECAR_URL http://saml2jwt-front.saml2jwt-internal:8080: 200');
    expect(before.actual).to.deep.equal(before.expected);
    // A restart looks the name up again (the address may change; the container keeps its name).
    const id = await stack.project.containerOf('saml2jwt');
    const startedAt = (await docker(['inspect', '--format', '{{.State.StartedAt}}', id])).trim();
    await docker(['restart', id], { timeoutMs: 120_000 });
    await waitHealthy([id], 120_000);
    expect((await docker(['inspect', '--format', '{{.State.StartedAt}}', id])).trim()).to.not.equal(startedAt);
    const after = await listenerReach(stack);
    expect(after.actual).to.deep.equal(after.expected);
  });
});

describe('docker: RS256 with two sidecar replicas (setup --ha --signing rs256)', function () {
  this.timeout(30 * 60_000);
  let stack: WiredStack;
  let browser: Browser | undefined;

  before(async () => {
    stack = await startWiredStack({ name: `${projectName}-ha`, setupFlags: ['--ha', '--signing', 'rs256'], overlays: ['saml2jwt-ha.yml', 'saml2jwt-rs256.yml'] });
  });

  stackHooks(() => ({ stack, browser }));

  /** What each replica behind saml2jwt.meet.jitsi answers for one path, asked by its own address. */
  const askEveryReplica = async (pathname: string): Promise<{ address: string; status?: number; body?: string; error?: string }[]> => {
    const script = `require('dns').promises.lookup('saml2jwt.meet.jitsi', { all: true }).then((found) => Promise.all(found.map(({ address }) =>
      fetch('http://' + address + ':8081' + process.argv[1], { signal: AbortSignal.timeout(5000) }).then(async (r) => ({ address, status: r.status, body: await r.text() }), (e) => ({ address, error: String(e.cause?.code ?? e.name) }))))).then((all) => console.log(JSON.stringify(all)));`;
    return JSON.parse((await fromMeetNetwork(stack, script, pathname)).trim()) as { address: string; status?: number; body?: string; error?: string }[];
  };
  const servedKids = async (): Promise<string[][]> =>
    (await askEveryReplica('/.well-known/jwks.json')).map((r) => ((JSON.parse(r.body ?? '{"keys":[]}') as { keys: { kid: string }[] }).keys ?? []).map((k) => k.kid));

  it("a login's token verifies with the key each replica serves: the same kid and PEM from both, by their own addresses", async () => {
    expect(await stack.project.containersOf('saml2jwt')).to.have.length(2);
    browser = await launchBrowser();
    const { token, kid } = await loginToken(stack, browser, 'Standup');
    const answers = await askEveryReplica(new URL(asapKeyUrl(stack.env.get('JWT_ASAP_KEYSERVER') ?? '', kid)).pathname);
    expect(answers.map((a) => a.address), 'saml2jwt.meet.jitsi names both replicas').to.have.length(2);
    for (const a of answers) expect(a.status, JSON.stringify(a)).to.equal(200);
    expect(answers[0]?.body).to.match(/^-----BEGIN PUBLIC KEY-----\n/).and.equal(answers[1]?.body);
    const prosody = { ...prosodyFor(stack.env), keyServer: 'http://unreachable.invalid/asap', cache: new Map([[kid, answers[0]?.body as string]]) };
    expect(await prosodyAcceptsAsap(token, { ...prosody, room: 'standup' })).to.include({ ok: true });
  });

  it('each replica binds its front port to its own address on saml2jwt-internal: the SP reaches both, meet.jitsi only their backend ports', async () => {
    const internal = `${stack.project.name}_saml2jwt-internal`;
    const ids = await stack.project.containersOf('saml2jwt');
    expect(ids).to.have.length(2);
    for (const id of ids) {
      const ip = (JSON.parse(await docker(['inspect', '--format', '{{json .NetworkSettings.Networks}}', id])) as Record<string, { IPAddress: string }>)[internal]?.IPAddress;
      const logs = await run('docker', ['logs', id]);
      const listening = (logs.stdout + logs.stderr).split('\n').filter((l) => l.includes('"msg":"listening"')).map((l) => JSON.parse(l) as { frontAddresses?: string[] }).at(-1);
      expect(listening?.frontAddresses, id).to.deep.equal([ip, '127.0.0.1']);
    }
    const reach = await listenerReach(stack);
    expect(reach.expected.filter((l) => / -> replica 1 front on saml2jwt-internal: 200$/.test(l)), 'both SP replicas ask replica 1').to.have.length(2);
    expect(reach.actual).to.deep.equal(reach.expected);
  });

  it('keys rotate: both replicas serve the new key within seconds, without a restart', async () => {
    const before = await servedKids();
    expect(before).to.have.length(2);
    expect(before[1]).to.deep.equal(before[0]);
    const startedAt = async (): Promise<string[]> =>
      Promise.all((await stack.project.containersOf('saml2jwt')).map(async (id) => (await docker(['inspect', '--format', '{{.State.StartedAt}}', id])).trim()));
    const started = await startedAt();
    const rotated = await run(process.execPath, [...cliArgs, 'keys', 'rotate', '--jitsi-dir', stack.project.dir], { cwd: repoRoot, timeoutMs: 120_000 });
    expect(rotated.code, rotated.stderr).to.equal(0);
    const kid = /kid (\S+)/.exec(rotated.stdout)?.[1] as string;
    let after = before;
    for (let i = 0; i < 30 && !after.every((kids) => kids.includes(kid)); i++) {
      await sleep(1000);
      after = await servedKids();
    }
    expect(after).to.deep.equal([[...(before[0] ?? []), kid], [...(before[0] ?? []), kid]]);
    expect(await startedAt()).to.deep.equal(started);
  });
});
