// doctor's checks of SP replicas, on the captured `docker inspect` of our SP container
// (test/fixtures/docker-jitsi-meet/inspect/) copied into replicas and varied the way an HA
// deployment goes wrong.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ContainerInspect, ProbeResult } from '../../../scripts/doctor-checks';
import { fingerprintFromProbe, runningReplicas, spReplicaChecks } from '../../../scripts/doctor-replicas';
import { fixturesDir } from './checkout-fixture';

const inspects: ContainerInspect[] = JSON.parse(fs.readFileSync(path.join(fixturesDir, 'inspect', 'saml-services-least-privilege.json'), 'utf8'));
const sp = inspects.find((c) => c.Config.Labels?.['com.docker.compose.service'] === 'saml-sp') as ContainerInspect;
const project = sp.Config.Labels?.['com.docker.compose.project'] as string;

/** Stand-in DER bytes of a certificate, and the fingerprint doctor must compute from them. */
const der = (byte: string): Buffer => Buffer.alloc(300, Number.parseInt(byte, 16));
const fp = (byte: string): string => createHash('sha256').update(der(byte)).digest('hex').toUpperCase().match(/../g)!.join(':');
/** The SP's metadata as metadataProbe reads it (the certificate wrapped as Shibboleth wraps it). */
const certOutput = (byte: string): ProbeResult => ({
  exitCode: 0,
  output: `<md:EntityDescriptor entityID="x"><md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\n${der(byte).toString('base64').replace(/.{64}/g, '$&\n')}\n</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor></md:EntityDescriptor>\n`,
});

/** n replicas of the fixture's SP, named as compose names them, with env overrides per replica. */
function replicas(envs: Array<Record<string, string | undefined>>, status = 'running'): ContainerInspect[] {
  return envs.map((overrides, i) => {
    const copy = JSON.parse(JSON.stringify(sp)) as ContainerInspect;
    copy.Id = `${sp.Id.slice(0, 60)}${i}`;
    copy.Name = `/${project}-saml-sp-${i + 1}`;
    copy.State.Status = status;
    let env = copy.Config.Env ?? [];
    for (const [key, value] of Object.entries(overrides)) {
      env = env.filter((e) => !e.startsWith(`${key}=`));
      if (value !== undefined) env.push(`${key}=${value}`);
    }
    copy.Config.Env = env;
    return copy;
  });
}
const ha = { SP_SESSION_STORE: 'memcache', MEMCACHED_HOSTS: 'memcached:11211' };
const checksOf = (containers: ContainerInspect[], certs: Record<string, ProbeResult>) =>
  spReplicaChecks(runningReplicas(containers, project, 'saml-sp'), new Map(Object.entries(certs)));
const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `${project}-saml-sp-${i + 1}`);

describe('scripts/doctor-replicas: every SP replica uses the same store, entityID and certificate', () => {
  it('passes for replicas made by the HA overlay: memcache, one entityID, one certificate', () => {
    const results = checksOf(replicas([ha, ha]), Object.fromEntries(names(2).map((n) => [n, certOutput('AB')])));
    expect(results.map((r) => r.ok)).to.deep.equal([true, true, true]);
    expect(results[0]?.what).to.equal('2 SP replicas share one session store: memcache memcached:11211');
    expect(results[2]?.what).to.include(fp('AB'));
  });

  it('checks nothing with one running SP (the single-host default) or when the others are stopped', () => {
    expect(checksOf(replicas([{}]), {})).to.deep.equal([]);
    const one = [...replicas([ha]), ...replicas([ha, ha], 'exited').slice(1)];
    expect(checksOf(one, {})).to.deep.equal([]);
  });

  it('fails replicas that keep sessions in memory, even when all of them say so, with the HA overlay as the fix', () => {
    const [store] = checksOf(replicas([{}, {}]), Object.fromEntries(names(2).map((n) => [n, certOutput('AB')])));
    expect(store?.ok).to.equal(false);
    expect(store?.what).to.include(`memory (${names(2).join(', ')})`);
    expect(store?.fix).to.include('-f saml2jwt-ha.yml');
  });

  it('fails replicas that point at different memcached servers, naming each', () => {
    const [store] = checksOf(replicas([ha, { ...ha, MEMCACHED_HOSTS: 'other:11211' }]), Object.fromEntries(names(2).map((n) => [n, certOutput('AB')])));
    expect(store?.ok).to.equal(false);
    expect(store?.what).to.include(`memcache memcached:11211 (${names(2)[0]}); memcache other:11211 (${names(2)[1]})`);
  });

  it('OpenID Connect alone: checks the shared store only, no entityID or certificate (there is no SAML metadata)', () => {
    const oidc = { ...ha, SP_LOGIN: 'oidc' };
    const results = spReplicaChecks(runningReplicas(replicas([oidc, oidc]), project, 'saml-sp'), new Map(), { saml: false });
    expect(results.map((r) => [r.ok, r.what])).to.deep.equal([[true, '2 SP replicas share one session store: memcache memcached:11211']]);
    const memory = spReplicaChecks(runningReplicas(replicas([{ SP_LOGIN: 'oidc' }, { SP_LOGIN: 'oidc' }]), project, 'saml-sp'), new Map(), { saml: false });
    expect(memory.map((r) => r.ok)).to.deep.equal([false]);
  });

  it('fails replicas with different SP_ENTITY_IDs', () => {
    const results = checksOf(replicas([{ ...ha, SP_ENTITY_ID: 'https://a.example/sp' }, { ...ha, SP_ENTITY_ID: 'https://b.example/sp' }]), Object.fromEntries(names(2).map((n) => [n, certOutput('AB')])));
    expect(results[1]?.ok).to.equal(false);
    expect(results[1]?.what).to.include('https://a.example/sp').and.include('https://b.example/sp');
  });

  it('fails replicas with different SP certificates, and one whose certificate cannot be read', () => {
    const [n1, n2, n3] = names(3) as [string, string, string];
    const differ = checksOf(replicas([ha, ha, ha]), { [n1]: certOutput('AB'), [n2]: certOutput('AB'), [n3]: certOutput('CD') });
    expect(differ[2]?.ok).to.equal(false);
    expect(differ[2]?.what).to.include(`${fp('AB')} (${n1}, ${n2}); ${fp('CD')} (${n3})`);
    const unread = checksOf(replicas([ha, ha]), { [n1]: certOutput('AB'), [n2]: { exitCode: 1, output: 'Could not open file' } });
    expect(unread[2]?.ok).to.equal(false);
    expect(unread[2]?.what).to.equal(`the SP certificate could not be read from the metadata of ${n2}`);
  });

  it('takes the fingerprint of the certificate in the metadata, nothing else', () => {
    expect(fingerprintFromProbe(certOutput('0f'))).to.equal(fp('0f')).and.match(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(fingerprintFromProbe({ exitCode: null, output: '' })).to.equal(undefined);
    expect(fingerprintFromProbe({ exitCode: 22, output: certOutput('0f').output })).to.equal(undefined);
    expect(fingerprintFromProbe({ exitCode: 0, output: '<md:EntityDescriptor/>' })).to.equal(undefined);
    expect(fingerprintFromProbe(undefined)).to.equal(undefined);
  });
});
