// Configuration checks of the SP image's templates, rendered by the image's own scripts and
// checked by the real tools: `shibd -t` for each shibboleth2.xml variant (with metadata it can
// actually fetch) and `apache2 -t` for each Apache site, each in a folder of its own.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './support/paths';
import { startMetadataServer, idpMetadata, type MetadataServer } from './support/metadata-server';
import { shibdTest, tool } from './support/shib-tools';
import { keyedLayout, layoutEnv, runSpScript, spLayout, type SpLayout } from './support/sp';

const run = promisify(execFile);
const SECRET = 'e2e-proxy-secret-0123456789abcdef0123';
const IDP = 'https://idp.example.test/idp/shibboleth';

describe('e2e: SP configuration (saml2jwt-render, shibd -t, apache2 -t)', function () {
  this.timeout(60000);
  let dir: string;
  let md: MetadataServer;
  /** A certificate (PEM file) for checks that only need one to exist. */
  let anyCert = '';
  let n = 0;
  /** A fresh, isolated SP folder with its keys. */
  const freshLayout = (mode = 'path'): Promise<SpLayout> => keyedLayout(join(dir, `sp-${++n}`), mode);
  const baseEnv = (layout: SpLayout): Record<string, string> => ({
    ...layoutEnv(layout),
    PUBLIC_URL: 'https://meet.example.test',
    METADATA_URL: md.url('/idp.xml?format=saml&x=1'),
    SSO_URL: IDP,
    SIDECAR_PROXY_SECRET: SECRET,
  });
  const render = async (env: Record<string, string>): Promise<void> => {
    const result = await runSpScript('saml2jwt-render', env);
    expect(result.code, result.stderr).to.equal(0);
  };

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), 'saml2jwt-spconfig-'));
    md = await startMetadataServer();
    const certLayout = await freshLayout();
    anyCert = join(certLayout.keyDir, 'sp-cert.pem');
    md.set('/idp.xml', idpMetadata(IDP, readFileSync(join(certLayout.keyDir, 'sp-cert.pem'), 'utf8')));
  });

  after(async function () {
    if (md) await md.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('shibboleth2.xml variants', function () {
    for (const name of ['direct', 'shibboleth2_sp_direct_idp.xml']) {
      it(`${name}: one IdP; shibd -t loads it and its metadata without errors`, async function () {
        const layout = await freshLayout();
        await render({ ...baseEnv(layout), SHIBBOLETH_TEMPLATE_XML: name });
        const xml = readFileSync(join(layout.shibConfigDir, 'shibboleth2.xml'), 'utf8');
        expect(xml).to.include(`<SSO entityID="${IDP}">`);
        expect(xml).to.include('url="http://127.0.0.1:').and.include('/idp.xml?format=saml&amp;x=1"');
        expect(xml).to.include('entityID="https://meet.example.test/saml2jwt/shibboleth"');
        expect(xml).to.include('handlerURL="/saml2jwt/Shibboleth.sso"');
        const result = await shibdTest(layout);
        expect(result.problems, result.output).to.deep.equal([]);
        expect(result.code, result.output).to.equal(0);
        expect(result.output).to.include('overall configuration is loadable');
        // The metadata was fetched and kept in the cache folder, in a file named after the URL.
        const cached = readdirSync(layout.shibCacheDir).filter((f) => f.endsWith('.xml'));
        expect(cached).to.have.length(1);
        expect(cached[0]).to.match(/^metadata-127\.0\.0\.1_\d+-[0-9a-f]{16}\.xml$/);
        expect(readFileSync(join(layout.shibCacheDir, cached[0] as string), 'utf8')).to.include(IDP);
      });
    }

    for (const name of ['discovery', 'shibboleth2_sp_discovery.xml']) {
      it(`${name}: SAMLDS discovery at SSO_URL; shibd -t reports no problems`, async function () {
        const layout = await freshLayout();
        await render({ ...baseEnv(layout), SHIBBOLETH_TEMPLATE_XML: name, SSO_URL: 'https://ds.example.test/DS/WAYF' });
        const xml = readFileSync(join(layout.shibConfigDir, 'shibboleth2.xml'), 'utf8');
        expect(xml).to.include('<SSO discoveryProtocol="SAMLDS" discoveryURL="https://ds.example.test/DS/WAYF">');
        const result = await shibdTest(layout);
        expect(result.problems, result.output).to.deep.equal([]);
        expect(result.code).to.equal(0);
      });
    }

    describe('federation (signed metadata)', function () {
      let signerKey: string;
      let signerCert: string;

      before(async function () {
        const signer = await freshLayout(); // any RSA pair will do as the federation's signer
        signerKey = join(signer.keyDir, 'sp-key.pem');
        signerCert = join(signer.keyDir, 'sp-cert.pem');
        const certPem = readFileSync(signerCert, 'utf8');
        const sign = async (xml: string): Promise<string> => {
          const file = join(dir, `unsigned-${++n}.xml`);
          writeFileSync(file, xml);
          const { stdout } = await run('php', [join(__dirname, 'fixtures/sign-metadata.php'), file, signerKey, signerCert]);
          return stdout;
        };
        const inTwoWeeks = new Date(Date.now() + 14 * 86400e3);
        md.set('/fed-signed.xml', await sign(idpMetadata(IDP, certPem, { id: '_fed', validUntil: inTwoWeeks })));
        md.set('/fed-unsigned.xml', idpMetadata(IDP, certPem, { id: '_fed', validUntil: inTwoWeeks }));
        md.set('/fed-expired.xml', await sign(idpMetadata(IDP, certPem, { id: '_fed', validUntil: new Date(Date.now() - 86400e3) })));
        md.set('/fed-no-validuntil.xml', await sign(idpMetadata(IDP, certPem, { id: '_fed' })));
        const tampered = (await sign(idpMetadata(IDP, certPem, { id: '_fed', validUntil: inTwoWeeks }))).replace('https://idp.example.test/sso', 'https://evil.test/sso');
        md.set('/fed-tampered.xml', tampered);
      });

      const federation = async (path: string): Promise<{ layout: SpLayout; result: Awaited<ReturnType<typeof shibdTest>> }> => {
        const layout = await freshLayout();
        await render({
          ...baseEnv(layout),
          SHIBBOLETH_TEMPLATE_XML: 'federation',
          METADATA_URL: md.url(path),
          SSO_URL: 'https://ds.example.test/DS/WAYF',
          METADATA_SIGNING_CERT: signerCert,
        });
        return { layout, result: await shibdTest(layout) };
      };

      it('federation: signed, valid metadata loads without errors', async function () {
        const { layout, result } = await federation('/fed-signed.xml');
        const xml = readFileSync(join(layout.shibConfigDir, 'shibboleth2.xml'), 'utf8');
        // One File resolver per signing certificate, the certificate copied next to the configuration.
        expect(xml).to.include(`<CredentialResolver type="File" certificate="${join(layout.shibConfigDir, 'metadata-signers/signer-1.pem')}"/>`);
        expect(readFileSync(join(layout.shibConfigDir, 'metadata-signers/signer-1.pem'), 'utf8')).to.equal(readFileSync(signerCert, 'utf8'));
        expect(xml).to.include('<MetadataFilter type="RequireValidUntil"');
        expect(result.problems, result.output).to.deep.equal([]);
        expect(result.code).to.equal(0);
      });

      for (const [what, path] of [
        ['unsigned', '/fed-unsigned.xml'],
        ['tampered-with', '/fed-tampered.xml'],
        ['expired', '/fed-expired.xml'],
        ['validUntil-less', '/fed-no-validuntil.xml'],
      ] as const) {
        it(`federation: ${what} metadata is refused`, async function () {
          const { result } = await federation(path);
          expect(result.problems.join('\n'), result.output).to.match(/MetadataProvider|Signature|validUntil|expired/i);
          expect(result.output).to.match(/error initializing MetadataProvider/);
        });
      }

      // direct mode takes a signing certificate and a local metadata file too (issue 15).
      const direct = async (env: Record<string, string>): Promise<{ layout: SpLayout; xml: string; result: Awaited<ReturnType<typeof shibdTest>> }> => {
        const layout = await freshLayout();
        await render({ ...baseEnv(layout), SHIBBOLETH_TEMPLATE_XML: 'direct', ...env });
        const xml = readFileSync(join(layout.shibConfigDir, 'shibboleth2.xml'), 'utf8');
        return { layout, xml, result: await shibdTest(layout) };
      };

      it('direct + METADATA_SIGNING_CERT: signed metadata loads, filtered to SSO_URL', async function () {
        const { xml, result } = await direct({ METADATA_URL: md.url('/fed-signed.xml'), METADATA_SIGNING_CERT: signerCert });
        expect(xml).to.match(/<MetadataFilter type="Signature" verifyBackup="true">\s*<!--[^]*?-->\s*<CredentialResolver type="Chaining">\s*<CredentialResolver type="File" certificate="[^"]+signer-1\.pem"\/>\s*<\/CredentialResolver>\s*<\/MetadataFilter>\s*<MetadataFilter type="Include">\s*<Include>https:\/\/idp\.example\.test\/idp\/shibboleth<\/Include>/);
        expect(xml).not.to.include('saml2jwt-if');
        expect(result.problems, result.output).to.deep.equal([]);
        expect(result.code).to.equal(0);
      });

      it('direct + METADATA_SIGNING_CERT: unsigned or tampered-with metadata is refused', async function () {
        for (const path of ['/fed-unsigned.xml', '/fed-tampered.xml']) {
          const { result } = await direct({ METADATA_URL: md.url(path), METADATA_SIGNING_CERT: signerCert });
          expect(result.output, path).to.match(/error initializing MetadataProvider/);
        }
      });

      it('direct + METADATA_FILE: the local file loads (no fetch, no cache file); with a signing certificate a tampered file is refused', async function () {
        const good = join(dir, 'local-signed.xml');
        writeFileSync(good, (await (await fetch(md.url('/fed-signed.xml'))).text()));
        const local = await direct({ METADATA_URL: '', METADATA_FILE: good });
        expect(local.xml).to.include(`path="${good}"`);
        expect(local.xml).not.to.include('url=');
        expect(local.xml).not.to.include('TransportOption');
        expect(local.result.problems, local.result.output).to.deep.equal([]);
        expect(local.result.code).to.equal(0);
        expect(readdirSync(local.layout.shibCacheDir)).to.deep.equal([]);
        const bad = join(dir, 'local-tampered.xml');
        writeFileSync(bad, (await (await fetch(md.url('/fed-tampered.xml'))).text()));
        const tampered = await direct({ METADATA_URL: '', METADATA_FILE: bad, METADATA_SIGNING_CERT: signerCert });
        expect(tampered.result.output).to.match(/error initializing MetadataProvider/);
      });

      // Issue 20 §3: each IdP's metadata from the federation's MDQ service, after an optional static source.
      const mdq = async (env: Record<string, string>): Promise<{ layout: SpLayout; xml: string; result: Awaited<ReturnType<typeof shibdTest>> }> => {
        const layout = await freshLayout();
        await render({ ...baseEnv(layout), SHIBBOLETH_TEMPLATE_XML: 'mdq', METADATA_URL: '', SSO_URL: 'https://ds.example.test/DS/WAYF', MDQ_URL: 'https://mdq.example.test/global/', METADATA_SIGNING_CERT: signerCert, ...env });
        const xml = readFileSync(join(layout.shibConfigDir, 'shibboleth2.xml'), 'utf8');
        return { layout, xml, result: await shibdTest(layout) };
      };
      const mdqProvider = /<MetadataProvider type="MDQ" validate="true" ignoreTransport="true"\s+baseUrl="https:\/\/mdq\.example\.test\/global\/" cacheDirectory="([^"]+)"\s+minCacheDuration="(\d+)" maxCacheDuration="(\d+)">\s*<MetadataFilter type="RequireValidUntil" maxValidityInterval="2419200"\/>\s*<MetadataFilter type="Signature" verifyBackup="true">\s*<CredentialResolver type="Chaining">\s*<CredentialResolver type="File" certificate="[^"]+signer-1\.pem"\/>\s*<\/CredentialResolver>\s*<\/MetadataFilter>\s*<\/MetadataProvider>/;

      it('mdq: one MDQ provider, signed answers with a validUntil required, cached in a folder named after MDQ_URL; shibd -t loads it', async function () {
        const { layout, xml, result } = await mdq({});
        const provider = mdqProvider.exec(xml);
        expect(provider, xml).to.not.equal(null);
        const [, cacheDirectory, min, max] = provider as unknown as [string, string, string, string];
        expect(cacheDirectory).to.match(new RegExp(`^${layout.shibCacheDir}/mdq-mdq\\.example\\.test-[0-9a-f]{16}$`));
        expect([min, max]).to.deep.equal(['60', '28800']);
        expect(xml).to.include('<SSO discoveryProtocol="SAMLDS" discoveryURL="https://ds.example.test/DS/WAYF">');
        expect(xml).not.to.include('type="XML" validate="true" url=');
        expect(xml).not.to.include('saml2jwt-if');
        expect(result.problems, result.output).to.deep.equal([]);
        expect(result.code).to.equal(0);
        // Another MDQ service, another cache folder: answers of one are never read back for the other.
        // (A leading zero is still decimal: 0300 is 300 s, not bash's octal 192.)
        const other = await mdq({ MDQ_URL: 'https://mdq.other.example.test/entities-base/', MDQ_MIN_CACHE_DURATION: '0300', MDQ_MAX_CACHE_DURATION: '86400' });
        expect(other.xml).to.match(/cacheDirectory="[^"]+\/mdq-mdq\.other\.example\.test-[0-9a-f]{16}"\s+minCacheDuration="300" maxCacheDuration="86400"/);
        expect(other.xml).not.to.include(cacheDirectory);
      });

      it('mdq after a static source: a signed METADATA_URL (refused unsigned) or the operator\'s METADATA_FILE comes first', async function () {
        const remote = await mdq({ METADATA_URL: md.url('/fed-signed.xml') });
        const staticFirst = /<MetadataProvider type="XML" validate="true"\s+url="[^"]+\/fed-signed\.xml"[^>]*>[^]*?<MetadataFilter type="RequireValidUntil" maxValidityInterval="2419200"\/>\s*<MetadataFilter type="Signature" verifyBackup="true">\s*<CredentialResolver type="Chaining">\s*<CredentialResolver type="File" certificate="[^"]+signer-1\.pem"\/>[^]*?<\/MetadataProvider>[^]*?<MetadataProvider type="MDQ"/;
        expect(remote.xml).to.match(staticFirst);
        expect(remote.result.problems, remote.result.output).to.deep.equal([]);
        expect(remote.result.code).to.equal(0);
        const unsigned = await mdq({ METADATA_URL: md.url('/fed-unsigned.xml') });
        expect(unsigned.result.output).to.match(/failed signature check: Root metadata element was unsigned/);
        // In a chain, a source that fails is skipped: the MDQ service still answers for the rest.
        expect(unsigned.result.output).to.match(/MetadataProvider.Chaining : failure initializing MetadataProvider/);

        const file = join(dir, 'mdq-local-unsigned.xml');
        writeFileSync(file, await (await fetch(md.url('/fed-unsigned.xml'))).text());
        const local = await mdq({ METADATA_FILE: file });
        expect(local.xml).to.match(new RegExp(`<MetadataProvider type="XML" validate="true" path="${file}"/>\\s*<!--[^]*?-->\\s*<MetadataProvider type="MDQ"`));
        expect(local.result.problems, local.result.output).to.deep.equal([]);
        expect(local.result.code).to.equal(0);
      });

      it('mdq: MDQ_URL, the cache durations and SHIBD_START_TIMEOUT are checked; MDQ_URL only with mdq', async function () {
        const layout = spLayout(join(dir, 'mdq-refusals'));
        const mdqEnv = { ...baseEnv(layout), SHIBBOLETH_TEMPLATE_XML: 'mdq', METADATA_URL: '', SSO_URL: 'https://ds.example.test/DS', MDQ_URL: 'https://mdq.example.test/', METADATA_SIGNING_CERT: signerCert };
        for (const [extra, message] of [
          [{ MDQ_URL: 'mdq.example.test/global' }, 'saml2jwt-render: MDQ_URL must be an http(s) URL without spaces, quotes or $, not "mdq.example.test/global"'],
          [{ MDQ_URL: 'https://mdq.example.test/" evil="1' }, 'saml2jwt-render: MDQ_URL must be an http(s) URL without spaces, quotes or $, not "https://mdq.example.test/" evil="1"'],
          [{ MDQ_MIN_CACHE_DURATION: '10' }, 'saml2jwt-render: MDQ_MIN_CACHE_DURATION must be a whole number of seconds, at least 30 (Shibboleth\'s lower bound), not "10"'],
          [{ MDQ_MAX_CACHE_DURATION: '8h' }, 'saml2jwt-render: MDQ_MAX_CACHE_DURATION must be a whole number of seconds, not "8h"'],
          [{ MDQ_MIN_CACHE_DURATION: '600', MDQ_MAX_CACHE_DURATION: '300' }, 'saml2jwt-render: MDQ_MAX_CACHE_DURATION (300) must not be below MDQ_MIN_CACHE_DURATION (600)'],
          [{ SHIBD_START_TIMEOUT: '0' }, 'saml2jwt-render: SHIBD_START_TIMEOUT must be a whole number of seconds, at least 1, not "0"'],
          [{ SHIBBOLETH_TEMPLATE_XML: 'federation', METADATA_URL: md.url('/fed-signed.xml') }, 'saml2jwt-render: MDQ_URL is used only with SHIBBOLETH_TEMPLATE_XML=mdq, not with federation; empty it or set SHIBBOLETH_TEMPLATE_XML=mdq'],
        ] as const) {
          const result = await runSpScript('saml2jwt-render', { ...mdqEnv, ...extra });
          expect(result.code, JSON.stringify(extra)).to.equal(2);
          expect(result.stderr.trim(), JSON.stringify(extra)).to.equal(message);
        }
      });

      // Issue 13: SP_SESSION_STORE=memory (the default) or memcache, for every template.
      it('every template in both session-store modes: shibd -t loads it; memcache shares sessions, replay cache, artifacts and relay state', async function () {
        const variants: [string, Record<string, string>][] = [
          ['direct', {}],
          ['discovery', { SSO_URL: 'https://ds.example.test/DS/WAYF' }],
          ['federation', { SSO_URL: 'https://ds.example.test/DS/WAYF', METADATA_URL: md.url('/fed-signed.xml'), METADATA_SIGNING_CERT: signerCert }],
          ['mdq', { SSO_URL: 'https://ds.example.test/DS/WAYF', METADATA_URL: '', MDQ_URL: 'http://127.0.0.1:1/mdq/', METADATA_SIGNING_CERT: signerCert }],
        ];
        const prefixes = new Set<string>();
        for (const [variant, extra] of variants) {
          for (const store of ['memory', 'memcache'] as const) {
            const layout = await freshLayout();
            const env = { ...baseEnv(layout), SHIBBOLETH_TEMPLATE_XML: variant, ...extra };
            // Nothing listens on the memcached port: the configuration must load all the same.
            if (store === 'memcache') Object.assign(env, { SP_SESSION_STORE: 'memcache', MEMCACHED_HOSTS: 'mc1.example.test:11211,127.0.0.1:1' });
            await render(env);
            const xml = readFileSync(join(layout.shibConfigDir, 'shibboleth2.xml'), 'utf8');
            const what = `${variant}/${store}`;
            expect(xml, what).not.to.include('saml2jwt-if');
            if (store === 'memory') {
              expect(xml, what).to.include('relayState="ss:mem"');
              expect(xml, what).not.to.include('MEMCACHE');
              expect(xml, what).not.to.include('memcache-store.so');
            } else {
              expect(xml, what).to.match(/<OutOfProcess [^>]*>\s*<!--[^]*?-->\s*<Extensions>\s*<Library path="memcache-store.so" fatal="true"\/>/);
              const prefix = /<StorageService type="MEMCACHE" id="mc" prefix="(saml2jwt-[0-9a-f]{16}:)" retryTimeout="5">\s*<Hosts>mc1\.example\.test:11211,127\.0\.0\.1:1<\/Hosts>/.exec(xml)?.[1];
              expect(prefix, what).to.be.a('string');
              prefixes.add(prefix as string);
              expect(xml, what).to.include(`<StorageService type="MEMCACHE" id="mc-ctx" prefix="${prefix}" retryTimeout="5" buildMap="1">`);
              expect(xml, what).to.match(/<SessionCache type="StorageService" StorageService="mc-ctx" StorageServiceLite="mc"/);
              expect(xml, what).to.include('<ReplayCache StorageService="mc"/>');
              expect(xml, what).to.include('<ArtifactMap StorageService="mc" artifactTTL="180"/>');
              expect(xml, what).to.include('relayState="ss:mc"');
            }
            const result = await shibdTest(layout);
            expect(result.problems, `${what}\n${result.output}`).to.deep.equal([]);
            expect(result.code, `${what}\n${result.output}`).to.equal(0);
            expect(result.output, what).to.include('overall configuration is loadable');
          }
        }
        // The prefix follows SP_ENTITY_ID: the same for every replica of one deployment, another for another.
        expect([...prefixes]).to.have.length(1);
        const other = await freshLayout();
        await render({ ...baseEnv(other), SP_ENTITY_ID: 'https://other.example.test/sp', SP_SESSION_STORE: 'memcache' });
        const otherXml = readFileSync(join(other.shibConfigDir, 'shibboleth2.xml'), 'utf8');
        expect(otherXml).to.include('<Hosts>memcached:11211</Hosts>');
        expect(otherXml).to.match(/prefix="saml2jwt-[0-9a-f]{16}:"/);
        expect(otherXml).not.to.include(`prefix="${[...prefixes][0]}"`);
      });
    });

    it('every remote variant verifies TLS: VERIFYPEER and VERIFYHOST on, CAINFO = METADATA_TLS_CA or the system bundle', async function () {
      for (const variant of ['direct', 'discovery', 'federation', 'mdq']) {
        const layout = await freshLayout();
        const extra: Record<string, string> = variant === 'direct' ? {} : { SSO_URL: 'https://ds.example.test/DS' };
        if (variant === 'federation' || variant === 'mdq') extra.METADATA_SIGNING_CERT = join(layout.keyDir, 'sp-cert.pem');
        if (variant === 'mdq') extra.MDQ_URL = 'https://mdq.example.test/global/';
        await render({ ...baseEnv(layout), SHIBBOLETH_TEMPLATE_XML: variant, ...extra });
        const xml = readFileSync(join(layout.shibConfigDir, 'shibboleth2.xml'), 'utf8');
        expect(xml, variant).to.include('<TransportOption provider="CURL" option="64">1</TransportOption>');
        expect(xml, variant).to.include('<TransportOption provider="CURL" option="81">2</TransportOption>');
        expect(xml, variant).to.include('<TransportOption provider="CURL" option="10065">/etc/ssl/certs/ca-certificates.crt</TransportOption>');
        const ca = join(layout.keyDir, 'sp-cert.pem');
        await render({ ...baseEnv(layout), SHIBBOLETH_TEMPLATE_XML: variant, ...extra, METADATA_TLS_CA: ca });
        expect(readFileSync(join(layout.shibConfigDir, 'shibboleth2.xml'), 'utf8'), variant).to.include(`<TransportOption provider="CURL" option="10065">${ca}</TransportOption>`);
      }
    });
  });

  describe('Apache sites', function () {
    it('path mode: apache2 -t accepts it; ServerName is the public URL; the trust wiring is in place', async function () {
      const layout = await freshLayout();
      await render({ ...baseEnv(layout), PUBLIC_URL: 'https://meet.example.test:8443', SIDECAR_URL: 'http://saml2jwt:8080' });
      const result = await tool('/usr/sbin/apache2', ['-t', '-f', join(layout.apacheConfigDir, 'httpd.conf')]);
      expect(result.code, result.output).to.equal(0);
      expect(result.output).to.include('Syntax OK');
      const site = readFileSync(join(layout.apacheConfigDir, 'saml2jwt-site.conf'), 'utf8');
      expect(site).to.match(/<VirtualHost \*:8080>/);
      expect(site).to.include('ServerName https://meet.example.test:8443');
      expect(site).to.include('UseCanonicalName On');
      const locations = readFileSync(join(layout.apacheConfigDir, 'saml2jwt-locations.conf'), 'utf8');
      expect(locations).to.include('ProxyPass /saml2jwt/ http://saml2jwt:8080/saml2jwt/');
      expect(locations).to.include(`RequestHeader set x-saml2jwt-proxy-secret "${SECRET}"`);
      // Every header that is set, here or by the OpenID Connect template, is also unset early.
      const set = [...locations.matchAll(/^RequestHeader set (\S+)/gm)].map((m) => m[1]);
      const oidcTemplate = readFileSync(join(repoRoot, 'shib-image/rootfs/defaults/oidc.conf'), 'utf8');
      const setByOidc = [...oidcTemplate.matchAll(/^\s*RequestHeader set (\S+)/gm)].map((m) => m[1]);
      const unset = [...locations.matchAll(/^RequestHeader unset (\S+) early$/gm)].map((m) => m[1]);
      expect(set).to.have.length(14);
      expect(setByOidc).to.include.members(['oidc-sub', 'oidc-issuer', 'mail']);
      expect(unset).to.have.members([...new Set([...set, ...setByOidc])] as string[]);
      // The rendered files holding the secret are not world-readable.
      expect(statSync(join(layout.apacheConfigDir, 'saml2jwt-locations.conf')).mode & 0o007).to.equal(0);
    });

    it('host mode: apache2 -t accepts it with TLS on SERVER_NAME, certificate generated into the key folder', async function () {
      const layout = await freshLayout('host');
      await render({ ...baseEnv(layout), SAML2JWT_MODE: 'host', SERVER_NAME: 'auth.example.test:8443' });
      const result = await tool('/usr/sbin/apache2', ['-t', '-f', join(layout.apacheConfigDir, 'httpd.conf')]);
      expect(result.code, result.output).to.equal(0);
      expect(result.output).to.include('Syntax OK');
      const site = readFileSync(join(layout.apacheConfigDir, 'saml2jwt-site.conf'), 'utf8');
      expect(site).to.match(/<VirtualHost \*:8443>/);
      expect(site).to.include('ServerName https://auth.example.test:8443');
      expect(site).to.include('SSLEngine on');
      const cert = await tool('openssl', ['x509', '-noout', '-subject', '-ext', 'subjectAltName', '-in', join(layout.keyDir, 'tls-cert.pem')]);
      expect(cert.output).to.include('DNS:auth.example.test');
      // Its port faces the Internet: the ACS takes SAML responses of a few KB, so bodies are capped.
      expect(site).to.match(/<Location \/saml2jwt\/Shibboleth\.sso>\s*LimitRequestBody 524288\s*<\/Location>/);
    });

    it('SIDECAR_PROXY_SECRET_FILE: the secret comes from a file (compose secrets), refused when world-readable or set twice', async function () {
      const layout = await freshLayout();
      const file = join(dir, `proxy-secret-${n}`);
      writeFileSync(file, `${SECRET}\n`, { mode: 0o440 });
      const env = { ...baseEnv(layout), SIDECAR_PROXY_SECRET_FILE: file } as Record<string, string>;
      delete env.SIDECAR_PROXY_SECRET;
      await render(env);
      const result = await tool('/usr/sbin/apache2', ['-t', '-f', join(layout.apacheConfigDir, 'httpd.conf')]);
      expect(result.code, result.output).to.equal(0);
      const locations = readFileSync(join(layout.apacheConfigDir, 'saml2jwt-locations.conf'), 'utf8');
      expect(locations).to.include(`RequestHeader set x-saml2jwt-proxy-secret "${SECRET}"`);

      const both = await runSpScript('saml2jwt-render', { ...env, SIDECAR_PROXY_SECRET: SECRET });
      expect(both.code).to.equal(2);
      expect(both.stderr.trim()).to.equal('saml2jwt-render: SIDECAR_PROXY_SECRET and SIDECAR_PROXY_SECRET_FILE are both set; set only one of them');
      chmodSync(file, 0o644);
      const open = await runSpScript('saml2jwt-render', env);
      expect(open.code).to.equal(2);
      expect(open.stderr.trim()).to.equal(`saml2jwt-render: SIDECAR_PROXY_SECRET_FILE: ${file} is readable by every user (mode 0644); make it 0400 or 0440 (chmod o-rwx)`);
      const missing = await runSpScript('saml2jwt-render', { ...env, SIDECAR_PROXY_SECRET_FILE: `${file}-missing` });
      expect(missing.stderr.trim()).to.equal(`saml2jwt-render: SIDECAR_PROXY_SECRET_FILE: cannot read ${file}-missing`);
    });

    it('OpenID Connect (SP_LOGIN oidc or both, path and host mode, each session store): apache2 -t accepts it; with memcache the module caches in MEMCACHED_HOSTS, encrypted', async function () {
      const secretFile = join(dir, 'oidc-client-secret');
      writeFileSync(secretFile, 'e2e-oidc-client-secret\n', { mode: 0o440 });
      const cases = [
        { login: 'oidc', mode: 'path', store: 'memory' },
        { login: 'oidc', mode: 'host', store: 'memcache' },
        { login: 'both', mode: 'path', store: 'memcache' },
      ];
      for (const c of cases) {
        const layout = await freshLayout(c.mode);
        const env: Record<string, string> = {
          ...baseEnv(layout),
          SP_LOGIN: c.login,
          OIDC_ISSUER: 'https://login.example.test/realms/staff',
          OIDC_CLIENT_ID: 'saml2jwt',
          OIDC_CLIENT_SECRET_FILE: secretFile,
          OIDC_TLS_CA: anyCert,
          SP_SESSION_STORE: c.store,
          ...(c.mode === 'host' ? { SAML2JWT_MODE: 'host', SERVER_NAME: 'auth.example.test:8443' } : {}),
          ...(c.store === 'memcache' ? { MEMCACHED_HOSTS: 'mc-a:11211,mc-b' } : {}),
        };
        const rendered = await runSpScript('saml2jwt-render', env);
        expect(rendered.code, `${JSON.stringify(c)}: ${rendered.stderr}`).to.equal(0);
        const result = await tool('/usr/sbin/apache2', ['-t', '-f', join(layout.apacheConfigDir, 'httpd.conf')]);
        expect(result.code, `${JSON.stringify(c)}: ${result.output}`).to.equal(0);
        const defines = readFileSync(join(layout.apacheConfigDir, 'saml2jwt-login.conf'), 'utf8');
        const oidc = readFileSync(join(layout.apacheConfigDir, 'saml2jwt-oidc.conf'), 'utf8');
        if (c.store === 'memcache') {
          expect(defines, JSON.stringify(c)).to.include('Define SAML2JWT_MEMCACHE');
          expect(oidc).to.match(/<IfDefine SAML2JWT_MEMCACHE>\s*OIDCCacheType memcache\s*OIDCMemCacheServers "mc-a:11211 mc-b"\s*OIDCCacheEncrypt On\s*<\/IfDefine>/);
          expect(rendered.stdout).to.include('sessions in memcache (mc-a:11211 mc-b, encrypted)');
        } else {
          expect(defines, JSON.stringify(c)).not.to.include('SAML2JWT_MEMCACHE');
          expect(rendered.stdout).to.include("sessions in Apache's shared memory");
        }
      }
    });
  });

  describe('refusals and keys', function () {
    const required: Array<[string, () => Record<string, string>]> = [
      ['PUBLIC_URL', () => ({})],
      ['METADATA_URL', () => ({})],
      ['SSO_URL', () => ({})],
      ['SIDECAR_PROXY_SECRET', () => ({})],
      ['SERVER_NAME', () => ({ SAML2JWT_MODE: 'host' })],
      ['METADATA_SIGNING_CERT', () => ({ SHIBBOLETH_TEMPLATE_XML: 'federation', SSO_URL: 'https://ds.example.test/DS' })],
      ['METADATA_SIGNING_CERT', () => ({ SHIBBOLETH_TEMPLATE_XML: 'mdq', SSO_URL: 'https://ds.example.test/DS', MDQ_URL: 'https://mdq.example.test/global/' })],
      ['MDQ_URL', () => ({ SHIBBOLETH_TEMPLATE_XML: 'mdq', SSO_URL: 'https://ds.example.test/DS', METADATA_SIGNING_CERT: anyCert })],
    ];
    for (const [name, extras] of required) {
      it(`a missing ${name} gives one line naming it and exit status 2 (${extras().SHIBBOLETH_TEMPLATE_XML ?? 'direct'})`, async function () {
        const extra = extras();
        const layout = spLayout(join(dir, `missing-${name}-${extra.SHIBBOLETH_TEMPLATE_XML ?? 'direct'}`));
        const env: Record<string, string> = { ...baseEnv(layout), ...extra };
        delete env[name];
        const result = await runSpScript('saml2jwt-render', env);
        expect(result.code).to.equal(2);
        const lines = result.stderr.trim().split('\n');
        expect(lines, result.stderr).to.have.length(1);
        expect(lines[0]).to.match(new RegExp(`^saml2jwt-render: ${name} is required`));
      });
    }

    it('reports every problem at once, one line each', async function () {
      const result = await runSpScript('saml2jwt-render', { ...layoutEnv(spLayout(join(dir, 'nothing'))), SHIBBOLETH_TEMPLATE_XML: 'nonsense', SIDECAR_PROXY_SECRET: 'short' });
      expect(result.code).to.equal(2);
      const lines = result.stderr.trim().split('\n');
      expect(lines).to.have.length(4);
      expect(lines.map((l) => /^saml2jwt-render: (\w+)/.exec(l)?.[1])).to.deep.equal(['SHIBBOLETH_TEMPLATE_XML', 'PUBLIC_URL', 'METADATA_URL', 'SIDECAR_PROXY_SECRET']);
    });

    it('refuses values that would break out of the configuration (quotes, "$", "%", paths)', async function () {
      const layout = spLayout(join(dir, 'bad-values'));
      for (const [name, value] of [
        ['SIDECAR_PROXY_SECRET', 'abcdefghijklmnopqrstuvwxyz0123456789"%{mail}e'],
        ['SIDECAR_PROXY_SECRET', 'abcdefghijklmnopqrstuvwxyz0123456789${HOME}'],
        ['METADATA_URL', 'https://md.example.test/a" evil="1'],
        ['PUBLIC_URL', 'https://meet.example.test/some/path'],
        ['SIDECAR_URL', 'http://saml2jwt:8080/ x'],
        ['SP_SESSION_STORE', 'redis'],
        ['MEMCACHED_HOSTS', 'memcached:11211</Hosts><Library path="x.so"/>'],
        ['MEMCACHED_HOSTS', 'memcached:11211 other:11211'],
      ] as const) {
        const store: Record<string, string> = name === 'MEMCACHED_HOSTS' ? { SP_SESSION_STORE: 'memcache' } : {};
        const result = await runSpScript('saml2jwt-render', { ...baseEnv(layout), ...store, [name]: value });
        expect(result.code, `${name}=${value}`).to.equal(2);
        expect(result.stderr).to.include(name);
      }
    });

    it('metadata sources: METADATA_FILE only in direct mode and not with METADATA_URL; readable files only; a signing certificate not with discovery', async function () {
      const layout = spLayout(join(dir, 'metadata-sources'));
      const file = join(dir, 'some-metadata.xml');
      writeFileSync(file, '<x/>');
      for (const [extra, pattern] of [
        [{ SHIBBOLETH_TEMPLATE_XML: 'discovery', METADATA_URL: '', METADATA_FILE: file }, /^saml2jwt-render: METADATA_FILE \(local metadata\) works only with SHIBBOLETH_TEMPLATE_XML=direct or mdq/],
        [{ METADATA_FILE: file }, /^saml2jwt-render: set one of METADATA_URL and METADATA_FILE, not both$/],
        [{ METADATA_URL: '', METADATA_FILE: join(dir, 'absent.xml') }, /^saml2jwt-render: METADATA_FILE names ".*absent\.xml", which is not a readable file$/],
        [{ METADATA_URL: '' }, /^saml2jwt-render: METADATA_URL is required \(or METADATA_FILE\)/],
        [{ METADATA_TLS_CA: join(dir, 'absent-ca.pem') }, /^saml2jwt-render: METADATA_TLS_CA names ".*absent-ca\.pem", which is not a readable file/],
        [{ METADATA_SIGNING_CERT: join(dir, 'absent-signer.pem') }, /^saml2jwt-render: METADATA_SIGNING_CERT names ".*absent-signer\.pem", which is not a readable file or folder$/],
        [{ SHIBBOLETH_TEMPLATE_XML: 'discovery', SSO_URL: 'https://ds.example.test/DS', METADATA_SIGNING_CERT: file }, /^saml2jwt-render: METADATA_SIGNING_CERT is not used with SHIBBOLETH_TEMPLATE_XML=discovery/],
      ] as const) {
        const result = await runSpScript('saml2jwt-render', { ...baseEnv(layout), ...extra });
        expect(result.code, JSON.stringify(extra)).to.equal(2);
        const lines = result.stderr.trim().split('\n').filter((l) => !l.includes('warning:'));
        expect(lines, result.stderr).to.have.length(1);
        expect(lines[0]).to.match(pattern);
      }
    });

    it('says at every start when the metadata is not authenticated (plain http, no signing certificate)', async function () {
      const layout = await freshLayout();
      const plain = await runSpScript('saml2jwt-render', baseEnv(layout));
      expect(plain.code).to.equal(0);
      expect(plain.stderr).to.match(/warning: METADATA_URL is plain http and METADATA_SIGNING_CERT is not set: the IdP metadata is not authenticated/);
      const signed = await runSpScript('saml2jwt-render', { ...baseEnv(layout), METADATA_SIGNING_CERT: join(layout.keyDir, 'sp-cert.pem') });
      expect(signed.code).to.equal(0);
      expect(signed.stderr).to.equal('');
    });

    it('saml2jwt-keys never overwrites the SP key, and refuses half a pair', async function () {
      const layout = await freshLayout();
      const env = { ...layoutEnv(layout), PUBLIC_URL: 'https://meet.example.test' };
      const key = readFileSync(join(layout.keyDir, 'sp-key.pem'), 'utf8');
      const again = await runSpScript('saml2jwt-keys', env);
      expect(again.code).to.equal(0);
      expect(readFileSync(join(layout.keyDir, 'sp-key.pem'), 'utf8')).to.equal(key);
      expect(statSync(join(layout.keyDir, 'sp-key.pem')).mode & 0o077).to.equal(0);
      unlinkSync(join(layout.keyDir, 'sp-cert.pem'));
      const half = await runSpScript('saml2jwt-keys', env);
      expect(half.code).to.not.equal(0);
      expect(half.stderr).to.include('only one of sp-key.pem and sp-cert.pem');
      expect(readFileSync(join(layout.keyDir, 'sp-key.pem'), 'utf8')).to.equal(key);
    });
  });
});
