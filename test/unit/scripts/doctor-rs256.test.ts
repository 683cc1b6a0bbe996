// doctor in RS256 mode, on captured docker inspect data (inspect/running-path-mode.json, varied as
// an RS256 deployment) and captured probe output (exec/saml2jwt-jwks.json: the sidecar's JWK
// set; exec/prosody-curl-asap-key.pem: curl's answer inside prosody).
import { expect } from 'chai';
import { createHash, generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chooseProject, configurationChecks, type CheckResult, type ComposeProject, type ContainerInspect, type ProbeResult, type ServiceContainer } from '../../../scripts/doctor-checks';
import { asapProbe, cacheKeysProbe, jwksProbe, keyServerCheck, keyServerChecks, prosodyJwksChecks, publishedKids, revokedKidsCheck, rs256ProsodyChecks } from '../../../scripts/doctor-rs256';
import { fixturesDir } from './checkout-fixture';

const KID = 'Q1teGrLrgdKGUsGTv61tTB55zvYB93caNFSKKC-b8Aw'; // the key of the exec/ fixtures
const exec = (name: string, exitCode = 0): ProbeResult => ({ exitCode, output: fs.readFileSync(path.join(fixturesDir, 'exec', name), 'utf8') });

const byService = (containers: ContainerInspect[], s: string): ContainerInspect => containers.find((c) => c.Config.Labels?.['com.docker.compose.service'] === s) as ContainerInspect;
const withEnv = (s: string, key: string, value: string | undefined) => (containers: ContainerInspect[]): void => {
  const c = byService(containers, s);
  c.Config.Env = [...(c.Config.Env ?? []).filter((e) => !e.startsWith(`${key}=`)), ...(value === undefined ? [] : [`${key}=${value}`])];
};

/** running-path-mode.json as `setup --signing rs256` and saml2jwt-rs256.yml leave it. */
function rs256Project(edit: (c: ContainerInspect[]) => void = () => {}): ComposeProject {
  const containers = JSON.parse(fs.readFileSync(path.join(fixturesDir, 'inspect', 'running-path-mode.json'), 'utf8')) as ContainerInspect[];
  withEnv('saml2jwt', 'JWT_SIGNING', 'RS256')(containers);
  withEnv('saml2jwt', 'JWT_APP_SECRET', undefined)(containers);
  withEnv('prosody', 'JWT_APP_SECRET', undefined)(containers);
  withEnv('prosody', 'JWT_SIGN_TYPE', 'RS256')(containers);
  withEnv('prosody', 'JWT_ASAP_KEYSERVER', 'http://saml2jwt.meet.jitsi:8081/asap')(containers);
  withEnv('prosody', 'XMPP_CONFIGURATION', 'c2s_require_encryption = false,cache_keys_url = "http://saml2jwt.meet.jitsi:8081/.well-known/jwks.json"')(containers);
  byService(containers, 'saml2jwt').NetworkSettings.Networks = { 'docker-jitsi-meet_meet.jitsi': {}, 'docker-jitsi-meet_saml2jwt-internal': {} };
  edit(containers);
  return chooseProject(containers) as ComposeProject;
}
/** What doctor concludes from inspect data in RS256 mode: prosody's side, then the sidecar's network. */
const rs256Results = (p: ComposeProject): CheckResult[] => [
  ...rs256ProsodyChecks(p.services.get('prosody') as ServiceContainer),
  ...configurationChecks(p).filter((r) => /JWT_APP_SECRET|RS256/.test(r.what)),
];
const rs256Lines = (p: ComposeProject): [boolean, string][] => rs256Results(p).map((r) => [r.ok, r.what]);

describe('scripts/doctor-rs256: RS256 deployments', () => {
  it('a correct RS256 deployment: no shared secret in prosody, RS256 expected, a key server set, the sidecar on meet.jitsi', () => {
    expect(rs256Lines(rs256Project())).to.deep.equal([
      [true, 'prosody holds no JWT_APP_SECRET (RS256: no shared secret)'],
      [true, 'prosody verifies RS256 tokens (JWT_SIGN_TYPE=RS256), as saml2jwt signs them'],
      [true, 'prosody fetches public keys from a key server (JWT_ASAP_KEYSERVER=http://saml2jwt.meet.jitsi:8081/asap)'],
      [true, 'prosody reads the JWK set of the published keys (cache_keys_url=http://saml2jwt.meet.jitsi:8081/.well-known/jwks.json in XMPP_CONFIGURATION), so a revoked key leaves it without a restart'],
      [true, 'saml2jwt is on the meet.jitsi network too, where Prosody fetches the RS256 public keys (JWT_SIGNING=RS256)'],
    ]);
    // and the HS256 shared-secret comparison is not made (there is nothing to share)
    expect(configurationChecks(rs256Project()).some((r) => r.what.includes('share JWT_APP_SECRET'))).to.equal(false);
  });

  it('prosody still holding JWT_APP_SECRET fails, saying why it matters; a wrong JWT_SIGN_TYPE fails; no key server fails', () => {
    const results = rs256Results(
      rs256Project((c) => {
        withEnv('prosody', 'JWT_APP_SECRET', '0123456789abcdef0123456789abcdef')(c);
        withEnv('prosody', 'JWT_SIGN_TYPE', 'HS256')(c);
        withEnv('prosody', 'JWT_ASAP_KEYSERVER', undefined)(c);
        withEnv('prosody', 'XMPP_CONFIGURATION', 'c2s_require_encryption = false')(c);
      }),
    );
    const failed = results.filter((r) => !r.ok && !r.warning);
    expect(failed.map((r) => r.what)).to.include.members([
      'prosody holds no JWT_APP_SECRET (RS256: no shared secret)',
      'prosody verifies RS256 tokens (JWT_SIGN_TYPE=HS256), as saml2jwt signs them',
      'prosody fetches public keys from a key server (JWT_ASAP_KEYSERVER=unset)',
      'prosody reads the JWK set of the published keys (cache_keys_url=unset in XMPP_CONFIGURATION), so a revoked key leaves it without a restart',
    ]);
    expect(failed.find((r) => r.what.includes('cache_keys_url'))?.fix).to.equal(
      'without it, a key Prosody fetched stays until Prosody restarts: add cache_keys_url = "http://saml2jwt.meet.jitsi:8081/.well-known/jwks.json" to XMPP_CONFIGURATION in .env; run `jitsi-saml2jwt setup <dir> --signing rs256` (it writes the .env), then recreate prosody',
    );
    const secret = failed.find((r) => r.what.startsWith('prosody holds no JWT_APP_SECRET'));
    expect(secret?.fix).to.include('anyone who holds it can make tokens Prosody accepts').and.include('setup <dir> --signing rs256');
    expect(results.map((r) => `${r.what} ${r.fix ?? ''}`).join('\n')).to.not.include('0123456789abcdef0123456789abcdef');
  });

  it('a JWT_ASAP_KEYSERVER ending in a slash fails, saying that Prosody would ask for //<hex>.pem', () => {
    const slash = 'http://saml2jwt.meet.jitsi:8081/asap/';
    const keyServer = rs256ProsodyChecks(rs256Project(withEnv('prosody', 'JWT_ASAP_KEYSERVER', slash)).services.get('prosody') as ServiceContainer).find((r) => r.what.startsWith('prosody fetches public keys'));
    expect([keyServer?.ok, keyServer?.what]).to.deep.equal([false, `prosody fetches public keys from a key server (JWT_ASAP_KEYSERVER=${slash}, which ends in a slash)`]);
    expect(keyServer?.fix).to.include('remove the trailing slash')
      .and.include('http://saml2jwt.meet.jitsi:8081/asap//<hex>.pem')
      .and.include('JWT_ASAP_KEYSERVER=http://saml2jwt.meet.jitsi:8081/asap in .env')
      .and.include('setup <dir> --signing rs256');
    // The probe asks as Prosody does (util.paths.join), so it fails the same way.
    expect(asapProbe(slash, KID).at(-1)).to.equal(`${slash}/${createHash('sha256').update(KID).digest('hex')}.pem`);
  });

  it('the sidecar not on meet.jitsi fails in RS256 mode, with the overlay to add', () => {
    const results = configurationChecks(rs256Project((c) => {
      byService(c, 'saml2jwt').NetworkSettings.Networks = { 'docker-jitsi-meet_saml2jwt-internal': {} };
    }));
    const net = results.find((r) => r.what.startsWith('saml2jwt is on the meet.jitsi network too'));
    expect(net?.ok).to.equal(false);
    expect(net?.fix).to.include('-f saml2jwt-rs256.yml');
  });

  it('on meet.jitsi with its front port bound by name, the SP must ask by that name: SIDECAR_URL on saml2jwt.meet.jitsi fails', () => {
    const front = (edit: (c: ContainerInspect[]) => void) =>
      configurationChecks(rs256Project((c) => {
        withEnv('saml2jwt', 'SIDECAR_HOST', 'saml2jwt-front.saml2jwt-internal')(c);
        edit(c);
      })).filter((r) => r.what.startsWith("saml-sp reaches the sidecar's front port"));
    const ok = front(withEnv('saml-sp', 'SIDECAR_URL', 'http://saml2jwt-front.saml2jwt-internal:8080'));
    expect(ok.map((r) => [r.ok, r.what])).to.deep.equal([[true, "saml-sp reaches the sidecar's front port by saml2jwt-front.saml2jwt-internal, on saml2jwt-internal (SIDECAR_URL=http://saml2jwt-front.saml2jwt-internal:8080)"]]);
    const old = front(withEnv('saml-sp', 'SIDECAR_URL', 'http://saml2jwt.meet.jitsi:8080'));
    expect(old.map((r) => r.ok)).to.deep.equal([false]);
    expect(old[0]?.fix).to.equal('remove SIDECAR_URL from .env (the overlay then sets http://saml2jwt-front.saml2jwt-internal:8080), then docker compose up -d');
    expect(front(withEnv('saml-sp', 'SIDECAR_URL', 'not a url')).map((r) => r.ok)).to.deep.equal([false]);
    // Only on saml2jwt-internal, or bound to an address: the old names still reach it, nothing to say.
    expect(front((c) => {
      withEnv('saml-sp', 'SIDECAR_URL', 'http://saml2jwt.meet.jitsi:8080')(c);
      byService(c, 'saml2jwt').NetworkSettings.Networks = { 'docker-jitsi-meet_saml2jwt-internal': {} };
    })).to.deep.equal([]);
    expect(front((c) => {
      withEnv('saml-sp', 'SIDECAR_URL', 'http://saml2jwt.meet.jitsi:8080')(c);
      withEnv('saml2jwt', 'SIDECAR_HOST', '0.0.0.0')(c);
    })).to.deep.equal([]);
  });

  it('probes: the JWK set inside the sidecar; Prosody\'s own URL inside prosody (lower-case hex of sha256(kid))', () => {
    expect(jwksProbe.slice(0, 2)).to.deep.equal(['node', '-e']);
    expect(jwksProbe[2]).to.include('http://127.0.0.1:8081/.well-known/jwks.json');
    const hex = createHash('sha256').update(KID).digest('hex');
    expect(hex).to.match(/^[0-9a-f]{64}$/);
    expect(asapProbe('http://saml2jwt.meet.jitsi:8081/asap', KID)).to.deep.equal(['curl', '-fsS', '--max-time', '5', `http://saml2jwt.meet.jitsi:8081/asap/${hex}.pem`]);
  });

  it('the key server answering prosody with the key of the kid passes; another key, an error or no PEM fails', async () => {
    expect(publishedKids(exec('saml2jwt-jwks.json'))).to.deep.equal({ kids: [KID] });
    const prosody = rs256Project().services.get('prosody') as ServiceContainer;
    const asked: string[][] = [];
    const ok = await keyServerChecks(prosody, publishedKids(exec('saml2jwt-jwks.json')), async (_c, cmd) => {
      asked.push(cmd);
      return exec('prosody-curl-asap-key.pem');
    });
    expect(ok).to.deep.equal([{ ok: true, what: `prosody gets the public key of kid ${KID} from JWT_ASAP_KEYSERVER` }]);
    expect(asked).to.deep.equal([asapProbe('http://saml2jwt.meet.jitsi:8081/asap', KID)]);

    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'pem', type: 'spki' }).toString();
    expect(keyServerCheck(KID, { exitCode: 0, output: other }).fix).to.match(/answered with the key of kid [A-Za-z0-9_-]{43}: another service/);
    const refused = keyServerCheck(KID, { exitCode: 22, output: 'curl: (22) The requested URL returned error: 404\n' });
    expect([refused.ok, refused.what]).to.deep.equal([false, `prosody gets the public key of kid ${KID} from JWT_ASAP_KEYSERVER (curl: (22) The requested URL returned error: 404)`]);
    expect(keyServerCheck(KID, { exitCode: 0, output: '<html>' }).what).to.include('not a PEM public key');
    expect(keyServerCheck(KID, { exitCode: null, output: '' }).what).to.include('timed out');
  });

  it('the signing key by the key folder is marked, and must be among the published keys', async () => {
    const prosody = rs256Project().services.get('prosody') as ServiceContainer;
    const answer = async (): Promise<ProbeResult> => exec('prosody-curl-asap-key.pem');
    const marked = await keyServerChecks(prosody, publishedKids(exec('saml2jwt-jwks.json')), answer, KID);
    expect(marked.map((r) => [r.ok, r.what])).to.deep.equal([[true, `prosody gets the public key of kid ${KID} (the signing key) from JWT_ASAP_KEYSERVER`]]);
    const missing = await keyServerChecks(prosody, publishedKids(exec('saml2jwt-jwks.json')), answer, 'another-kid');
    expect(missing.map((r) => r.ok)).to.deep.equal([false, true]);
    expect(missing[0]?.what).to.equal('saml2jwt publishes the signing key (kid another-kid, by the key folder)');
  });

  it('no JWK set from the sidecar: one failure naming why', async () => {
    const prosody = rs256Project().services.get('prosody') as ServiceContainer;
    const none = await keyServerChecks(prosody, publishedKids(undefined), async () => expect.fail('no probe'));
    expect(none.map((r) => [r.ok, r.fix])).to.deep.equal([[false, 'saml2jwt is not running; see `docker logs` of the saml2jwt container']]);
    expect(publishedKids({ exitCode: 0, output: '{"keys":[]}' })).to.deep.equal({ problem: 'saml2jwt publishes no key' });
    expect(publishedKids({ exitCode: 1, output: 'TypeError: fetch failed\n' })).to.deep.equal({ problem: "saml2jwt's /.well-known/jwks.json did not answer (TypeError: fetch failed)" });
  });
});

describe('scripts/doctor-rs256: the JWK set Prosody reads (cache_keys_url) and revoked kids', () => {
  const OTHER = 'A'.repeat(43);
  const jwks = (...kids: string[]): ProbeResult => ({ exitCode: 0, output: JSON.stringify({ keys: kids.map((kid) => ({ kty: 'RSA', kid, e: 'AQAB', n: 'x' })) }) });
  const prosodyOf = (p: ComposeProject): ServiceContainer => p.services.get('prosody') as ServiceContainer;

  it('fetches prosody\'s own cache_keys_url inside prosody; exactly the published kids pass', async () => {
    const asked: string[][] = [];
    const results = await prosodyJwksChecks(prosodyOf(rs256Project()), { kids: [KID, OTHER] }, async (_c, cmd) => {
      asked.push(cmd);
      return jwks(OTHER, KID);
    });
    expect(asked).to.deep.equal([cacheKeysProbe('http://saml2jwt.meet.jitsi:8081/.well-known/jwks.json')]);
    expect(cacheKeysProbe('http://x/jwks.json')).to.deep.equal(['curl', '-fsS', '--max-time', '5', 'http://x/jwks.json']);
    expect(results).to.deep.equal([{ ok: true, what: 'the JWK set prosody fetches (cache_keys_url) lists exactly the 2 kid(s) saml2jwt publishes' }]);
  });

  it('a kid missing from the set, or one saml2jwt no longer publishes, fails naming it', async () => {
    const missing = await prosodyJwksChecks(prosodyOf(rs256Project()), { kids: [KID, OTHER] }, async () => jwks(KID));
    expect(missing.map((r) => [r.ok, r.what])).to.deep.equal([[false, `the JWK set prosody fetches (cache_keys_url) lists exactly the 2 kid(s) saml2jwt publishes (missing: ${OTHER})`]]);
    const extra = await prosodyJwksChecks(prosodyOf(rs256Project()), { kids: [KID] }, async () => jwks(KID, OTHER));
    expect(extra[0]?.what).to.include(`(not published: ${OTHER})`);
    expect(extra[0]?.fix).to.include('cache_keys_url must be http://saml2jwt.meet.jitsi:8081/.well-known/jwks.json');
    // a cache_keys_url pointing elsewhere shows up the same way: prosody fetches what it is told
    const elsewhere = rs256Project((c) => withEnv('prosody', 'XMPP_CONFIGURATION', 'cache_keys_url = "http://idp.example/certs"')(c));
    const asked: string[][] = [];
    const r = await prosodyJwksChecks(prosodyOf(elsewhere), { kids: [KID] }, async (_c, cmd) => {
      asked.push(cmd);
      return jwks('someone-elses');
    });
    expect(asked[0]?.[4]).to.equal('http://idp.example/certs');
    expect(r[0]?.ok).to.equal(false);
  });

  it('an unanswered fetch, prosody not running: fails; no cache_keys_url or no list from saml2jwt: nothing more to say', async () => {
    const failed = await prosodyJwksChecks(prosodyOf(rs256Project()), { kids: [KID] }, async () => ({ exitCode: 7, output: 'curl: (7) Failed to connect to saml2jwt.meet.jitsi port 8081\n' }));
    expect(failed[0]?.what).to.equal('the JWK set prosody fetches (cache_keys_url) lists exactly the 1 kid(s) saml2jwt publishes (http://saml2jwt.meet.jitsi:8081/.well-known/jwks.json did not answer (curl: (7) Failed to connect to saml2jwt.meet.jitsi port 8081))');
    const stopped = rs256Project((c) => {
      byService(c, 'prosody').State = { ...byService(c, 'prosody').State, Status: 'exited' };
    });
    const notRunning = await prosodyJwksChecks(prosodyOf(stopped), { kids: [KID] }, async () => expect.fail('no probe'));
    expect(notRunning.map((x) => [x.ok, x.fix?.startsWith('prosody is not running')])).to.deep.equal([[false, true]]);
    const unset = rs256Project((c) => withEnv('prosody', 'XMPP_CONFIGURATION', undefined)(c));
    expect(await prosodyJwksChecks(prosodyOf(unset), { kids: [KID] }, async () => expect.fail('no probe'))).to.deep.equal([]);
    expect(await prosodyJwksChecks(prosodyOf(rs256Project()), { problem: 'saml2jwt is not running' }, async () => expect.fail('no probe'))).to.deep.equal([]);
  });

  it('a revoked kid (by the key folder) that saml2jwt still publishes fails', () => {
    expect(revokedKidsCheck({ kids: [KID] }, [])).to.deep.equal([]);
    expect(revokedKidsCheck({ kids: [KID] }, [OTHER])).to.deep.equal([{ ok: true, what: 'saml2jwt publishes none of the 1 revoked kid(s)' }]);
    const still = revokedKidsCheck({ kids: [KID, OTHER] }, [OTHER]);
    expect(still.map((r) => [r.ok, r.what])).to.deep.equal([[false, `saml2jwt publishes none of the 1 revoked kid(s) (still published: ${OTHER})`]]);
    expect(still[0]?.fix).to.include('re-reads the key folder within 10 s');
  });
});
