// One whole login stack on the host, all under one temp folder, on ports chosen at run time:
// test IdP (SimpleSAMLphp) <-> SP (Apache + mod_shib + shibd) -> backend (the real sidecar, or
// an echo server) behind a stand-in for Jitsi's web nginx at https://meet.example.test:<port>.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './browser';
import { startEchoBackend, type EchoBackend } from './echo-backend';
import { startIdp, type RunningIdp } from './idp';
import { startOp, type RunningOp } from './oidc-op';
import { freePort } from './ports';
import { ProcessGroup } from './processes';
import { startPublicSite, type PublicSite } from './public-site';
import { startSidecar, type SidecarOptions } from './sidecar';
import { ensureDir, spLayout, startSp, type RunningSp, type SpLayout } from './sp';
import { selfSigned } from './tls';

/** The sidecar's settings a test chooses; the stack fills in its URLs, ports, secret and folder. */
export type StackSidecarOptions = Omit<SidecarOptions, 'publicUrl' | 'proxySecret' | 'port' | 'backendPort' | 'stateDir' | 'expectedIdp' | 'oidcIssuer'>;

export interface StackOptions {
  /** 'echo' records the headers the SP sends; otherwise the real sidecar runs with these options. */
  backend: 'echo' | StackSidecarOptions;
  /** OpenID Connect beside SAML (both) or instead of it (oidc), with the test provider (oidc-op.ts). */
  spLogin?: 'both' | 'oidc';
}

/** The stack without a browser (what `npm run bench:chain` loads with plain HTTP). */
export interface Services {
  dir: string;
  publicUrl: string;
  proxySecret: string;
  idpSalt: string;
  idp: RunningIdp;
  sp: RunningSp;
  /** The SP's folders (run folder, keys, ...). */
  spLayout: SpLayout;
  /** The backend's front port (sidecar or echo) on 127.0.0.1. */
  backendPort: number;
  echo?: EchoBackend;
  group: ProcessGroup;
  /** The SP's environment as rendered at start (layout variables aside). */
  spEnv: Record<string, string>;
  /** The stand-in for Jitsi's web server at the public URL. */
  site: PublicSite;
  /** The test OpenID Connect provider, when spLogin is set. */
  op?: RunningOp;
  /**
   * Stops shibd and Apache, renders the SP again with `env` over the start-time environment
   * (same keys, metadata cache and port) and starts both again.
   */
  restartSp(env: Record<string, string | undefined>): Promise<void>;
  /** Stops the sidecar and starts it again with `backend` (same ports, secret and folder). */
  restartSidecar(backend: StackSidecarOptions): Promise<void>;
  stop(): Promise<void>;
}

export interface Stack extends Services {
  browser: Browser;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const services = await startServices(options);
  try {
    const browser = await launchBrowser();
    const stop = async (): Promise<void> => {
      await browser.close().catch(() => undefined);
      await services.stop();
    };
    return { ...services, browser, stop };
  } catch (err) {
    await services.stop();
    throw err;
  }
}

export async function startServices(options: StackOptions): Promise<Services> {
  const dir = mkdtempSync(join(tmpdir(), 'saml2jwt-e2e-'));
  chmodSync(dir, 0o711); // the unprivileged service user must reach its own sub-folders
  const logDir = ensureDir(join(dir, 'logs'));
  const group = new ProcessGroup(logDir);
  const closers: Array<() => Promise<void>> = [];

  const stop = async (): Promise<void> => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await group.stopAll();
    if (process.env.E2E_KEEP_TMP) process.stderr.write(`e2e: kept ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  };

  try {
    const [publicPort, idpPort, spPort, backendPort, sidecarBackendPort, opPort] = await Promise.all([
      freePort(), freePort(), freePort(), freePort(), freePort(), freePort(),
    ]);
    const publicUrl = `https://meet.example.test:${publicPort}`;
    const proxySecret = randomBytes(24).toString('hex');
    const idpSalt = randomBytes(12).toString('hex');

    const idp = await startIdp(group, {
      stateDir: join(dir, 'idp'),
      port: idpPort,
      baseUrl: `https://idp.example.test:${idpPort}`,
      secretSalt: idpSalt,
      spMetadataUrl: `http://127.0.0.1:${spPort}/saml2jwt/Shibboleth.sso/Metadata`,
    });

    let op: RunningOp | undefined;
    if (options.spLogin !== undefined) {
      op = await startOp({
        dir: ensureDir(join(dir, 'op')),
        port: opPort,
        redirectUri: `${publicUrl}/saml2jwt/oidc/callback`,
        postLogoutRedirectUri: `${publicUrl}/saml2jwt/loggedOut`,
      });
      const o = op;
      closers.push(() => o.close());
    }

    const sidecar = (backend: StackSidecarOptions): SidecarOptions => ({
      ...backend,
      publicUrl,
      proxySecret,
      port: backendPort,
      backendPort: sidecarBackendPort,
      stateDir: ensureDir(join(dir, 'sidecar')),
      expectedIdp: idp.entityId,
      ...(op ? { oidcIssuer: op.issuer } : {}),
    });
    let echo: EchoBackend | undefined;
    if (options.backend === 'echo') {
      echo = await startEchoBackend(backendPort);
      closers.push(echo.close);
    } else {
      await startSidecar(group, sidecar(options.backend));
    }
    const restartSidecar = async (backend: StackSidecarOptions): Promise<void> => {
      await group.stop('sidecar');
      await startSidecar(group, sidecar(backend));
    };

    const layout = spLayout(ensureDir(join(dir, 'sp')));
    const spEnv: Record<string, string> = {
      PUBLIC_URL: publicUrl,
      SHIBBOLETH_TEMPLATE_XML: 'direct',
      METADATA_URL: idp.metadataUrl,
      // The test IdP's TLS certificate is issued by its own CA, which the SP trusts for the fetch.
      METADATA_TLS_CA: idp.tlsCa,
      SSO_URL: idp.entityId,
      SIDECAR_URL: `http://127.0.0.1:${backendPort}`,
      SIDECAR_PROXY_SECRET: proxySecret,
    };
    if (op && options.spLogin) {
      // The client secret as a compose secret would hold it: a file only its owner's group reads.
      const secretFile = join(layout.root, 'oidc-client-secret');
      writeFileSync(secretFile, `${op.clientSecret}\n`, { mode: 0o440 });
      // mod_auth_openidc's passphrase as setup writes it once: the same for every start of the SP.
      const passphraseFile = join(layout.root, 'oidc-crypto-passphrase');
      writeFileSync(passphraseFile, `${randomBytes(33).toString('base64')}\n`, { mode: 0o440 });
      Object.assign(spEnv, {
        SP_LOGIN: options.spLogin,
        OIDC_ISSUER: op.issuer,
        OIDC_CLIENT_ID: op.clientId,
        OIDC_CLIENT_SECRET_FILE: secretFile,
        OIDC_CRYPTO_PASSPHRASE_FILE: passphraseFile,
        OIDC_TLS_CA: op.caFile,
      });
    }
    const sp = await startSp(group, { layout, env: spEnv }, spPort);
    const restartSp = async (env: Record<string, string | undefined>): Promise<void> => {
      await group.stop('sp-apache');
      await group.stop('shibd');
      const merged: Record<string, string> = { ...spEnv };
      for (const [name, value] of Object.entries(env)) {
        if (value === undefined) delete merged[name];
        else merged[name] = value;
      }
      await startSp(group, { layout, env: merged }, spPort);
    };

    const site = await startPublicSite(selfSigned(ensureDir(join(dir, 'public-tls')), 'meet.example.test'), publicPort, spPort);
    closers.push(site.close);

    return { dir, publicUrl, proxySecret, idpSalt, idp, sp, spLayout: layout, backendPort, echo, group, spEnv, site, op, restartSp, restartSidecar, stop };
  } catch (err) {
    const logs = ['test-idp', 'shibd', 'sp-apache', 'sidecar'].map((n) => `--- ${n}\n${group.tail(n, 25)}`).join('\n');
    await stop();
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${logs}`);
  }
}
