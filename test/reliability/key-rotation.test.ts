// RS256 key rotation under load: the benchmark client (autocannon) logs in without pause while
// `jitsi-saml2jwt keys rotate` (the built CLI, in a process of its own) adds a key to the folder
// the sidecar reads. No request may fail, both keys must sign during the run, and every token
// must verify against the key the key server serves for its kid, fetched the moment it is
// checked, the way Prosody fetches it (test/support/prosody-verifier.ts).
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { makeKeyDir, writeKey } from '../support/jwt-keys';
import { prosodyAcceptsAsap } from '../support/prosody-verifier';
import { spHeaders, startTestSidecar, type TestSidecar } from '../support/test-sidecar';
import { startLoad, statusCounts } from './load';
import { clientJwtFromUrl } from '../support/jitsi-client';

const CLI = path.resolve(__dirname, '../../dist/scripts/cli.js');
const SECONDS = 12;

describe('reliability: RS256 key rotation under load', function () {
  this.timeout((SECONDS + 60) * 1000);
  let t: TestSidecar | undefined;
  after(() => t?.stop());

  it('rotate while logins run: zero failed requests, and every token verifies against the key served for its kid', async () => {
    const dir = makeKeyDir();
    writeKey(dir, 7200);
    // A short activation delay, so the new key signs during the run; the folder is watched. One
    // user at full speed: the front rate limit is off, this is about the rotation.
    t = await startTestSidecar({ JWT_APP_SECRET: undefined, JWT_SIGNING: 'RS256', JWT_KEYS_DIR: dir, JWT_KEY_ACTIVATION_DELAY: '2', FRONT_RATE_LIMIT: '0' });
    const sidecar = t;
    const tokens: string[] = [];
    const load = startLoad({
      url: sidecar.front,
      requests: [
        {
          method: 'GET',
          path: '/redirectWithToken?room=rotation',
          headers: spHeaders({ mail: 'load@uni.example' }),
          onResponse: (_status, _body, _context, headers) => {
            // autocannon hands the raw header names over (Koa writes "Location").
            const location = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'location')?.[1];
            const token = typeof location === 'string' ? clientJwtFromUrl(location).jwt : undefined;
            if (token) tokens.push(token);
          },
        },
      ],
      connections: 4,
      duration: SECONDS,
      timeout: 10,
    });

    // Checks tokens while the load runs: each against a fresh fetch of its kid's key.
    const verdicts: { ok: boolean; reason?: string; kid: string }[] = [];
    let loadDone = false;
    const verifier = (async () => {
      while (!loadDone || verdicts.length < tokens.length) {
        const token = tokens[verdicts.length];
        if (token === undefined) {
          await new Promise((r) => setTimeout(r, 20));
          continue;
        }
        const kid = String((JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString()) as { kid?: unknown }).kid);
        const verdict = await prosodyAcceptsAsap(token, {
          keyServer: `${sidecar.backend}/asap`,
          acceptedIssuers: ['saml2jwt-test'],
          acceptedAudiences: ['saml2jwt-test'],
          room: 'rotation',
          xmppDomain: 'meet.jitsi',
          domainVerification: true,
        });
        verdicts.push(verdict.ok ? { ok: true, kid } : { ok: false, reason: verdict.reason, kid });
      }
    })();

    await new Promise((r) => setTimeout(r, 2000));
    const rotated = await promisify(execFile)(process.execPath, [CLI, 'keys', 'rotate', '--dir', dir]);
    const newKid = /kid (\S+)/.exec(rotated.stdout)?.[1];
    const result = await load.done;
    loadDone = true;
    await verifier;

    const statuses = statusCounts(result);
    const kids = new Map<string, number>();
    for (const v of verdicts) kids.set(v.kid, (kids.get(v.kid) ?? 0) + 1);
    const failed = verdicts.filter((v) => !v.ok);
    console.log(`      ${JSON.stringify({ requests: result.requests.total, statuses, tokens: tokens.length, perKid: Object.fromEntries(kids), failed: failed.length })}`);

    expect(Object.keys(statuses), JSON.stringify(statuses)).to.deep.equal(['302']);
    expect(result.errors + result.timeouts, JSON.stringify(load.errorCodes)).to.equal(0);
    expect(result.non2xx).to.equal(result.requests.total); // every answer a 302 with a token
    expect(tokens.length).to.be.greaterThan(50);
    expect(failed, JSON.stringify(failed.slice(0, 3))).to.deep.equal([]);
    expect(newKid).to.be.a('string');
    expect([...kids.keys()]).to.have.length(2);
    expect(kids.get(newKid as string) ?? 0, 'tokens signed by the new key').to.be.greaterThan(0);
  });
});
