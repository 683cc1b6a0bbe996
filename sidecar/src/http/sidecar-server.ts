// Both listeners of one sidecar, started together and drained together.
import { createServer, type Server } from 'node:http';
import type Koa from 'koa';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/config';
import type { Logger } from '../log';
import type { Policy } from '../policy/policy';
import { createMetrics, type Metrics } from '../metrics';
import { openKeyRing, type KeyRing } from '../token/keys/key-ring';
import { createKeyRingSigner, createSigner, type Signer } from '../token/sign';
import { createBackendApp } from './backend-app';
import type { HttpDeps } from './deps';
import { frontAddresses, type FrontAddressDeps } from './front-addresses';
import { createFrontApp } from './front-app';
import { createMeetingUrls } from '../meeting/meeting-url';
import { Readiness } from './readiness';
import { RefusalAudit } from './token-endpoint/refusal-audit';

export interface SidecarServer {
  deps: HttpDeps;
  /** The front listener's first address: SIDECAR_HOST's own (front-addresses.ts). */
  front: AddressInfo;
  /** Every address the front listener is bound to, on front.port. */
  frontAddresses: string[];
  backend: AddressInfo;
  /** Stop accepting, let in-flight requests finish, close keep-alive sockets; force after `deadlineMs`. */
  stop(deadlineMs?: number): Promise<void>;
}

export interface SidecarOptions {
  metrics?: Metrics;
  /** RS256: the key ring loadSettings opened (default: opened here from cfg). */
  keys?: KeyRing;
  /** How a SIDECAR_HOST name is looked up (default: DNS and this machine's interfaces). */
  frontAddressDeps?: FrontAddressDeps;
}

function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function closeGracefully(server: Server, deadlineMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    const force = setTimeout(() => server.closeAllConnections(), deadlineMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

export async function startSidecar(cfg: Config, policy: Policy, log: Logger, options: SidecarOptions = {}): Promise<SidecarServer> {
  const readiness = new Readiness();
  const keys = options.keys ?? openKeyRing(cfg);
  const sign: Signer = keys ? createKeyRingSigner(keys) : createSigner(cfg.jwt.appSecret ?? '');
  const deps: HttpDeps = {
    cfg,
    policy,
    log,
    metrics: options.metrics ?? createMetrics(),
    sign,
    urls: createMeetingUrls(cfg.publicUrl, cfg.apps),
    readiness,
    refusals: new RefusalAudit(log),
  };
  if (keys) deps.keys = keys;
  const stopWatchingKeys = keys?.watch(log);
  const serverOf = (app: Koa): Server => {
    const server = createServer(app.callback());
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    return server;
  };
  const frontApp = createFrontApp(deps);
  const backendServer = serverOf(createBackendApp(deps));
  const servers: Server[] = [backendServer];
  try {
    // One server per address, all on the first one's port (SIDECAR_PORT=0 picks it once).
    const addresses = await frontAddresses(cfg.front.host, options.frontAddressDeps);
    let front: AddressInfo | undefined;
    for (const address of addresses) {
      const server = serverOf(frontApp);
      servers.push(server);
      const bound = await listen(server, address, front?.port ?? cfg.front.port);
      front ??= bound;
    }
    readiness.frontUp = true;
    const backend = await listen(backendServer, cfg.backend.host, cfg.backend.port);
    readiness.backendUp = true;
    let stopping: Promise<void> | undefined;
    return {
      deps,
      front: front as AddressInfo,
      frontAddresses: addresses,
      backend,
      stop(deadlineMs = 8000) {
        if (stopping) {
          // Asked again while draining: do not wait for the deadline any more.
          if (deadlineMs <= 0) for (const s of servers) s.closeAllConnections();
          return stopping;
        }
        readiness.draining = true;
        stopWatchingKeys?.();
        stopping = Promise.all(servers.map((s) => closeGracefully(s, deadlineMs))).then(() => deps.refusals.close());
        return stopping;
      },
    };
  } catch (err) {
    stopWatchingKeys?.();
    await Promise.all(servers.map((s) => closeGracefully(s, 0)));
    deps.refusals.close();
    throw err;
  }
}
