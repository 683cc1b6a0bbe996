// The two real sidecars the fuzz runs against (in-process, ephemeral 127.0.0.1 ports):
// "plain", answering refusals itself; "port-and-error-page" with a port in its public URL,
// sending refused browsers to AUTH_ERROR_PAGE (PUBLIC_URL never has a path: config/public-url.ts). Both apply one policy:
// an entitlement that is denied, and staff who become owners.
import { Agent } from 'node:http';
import { startTestSidecar, TEST_API_KEY, TEST_APP_SECRET, TEST_PROXY_SECRET, writePolicy, type TestSidecar } from '../test-sidecar';
import { FUZZ } from './spec';

export { TEST_API_KEY, TEST_APP_SECRET, TEST_PROXY_SECRET };

export const FUZZ_POLICY = `default: allow
rules:
  - name: suspended accounts
    match: [{ idp: "${FUZZ.trustedIdp}" }, { attribute: entitlement, equals: "${FUZZ.deniedEntitlement}" }]
    allow: false
    reason: "Suspended <b>&</b> 'quoted'"
  - name: staff are owners
    match: [{ attribute: affiliation, equals: "${FUZZ.staffAffiliation}" }]
    affiliation: owner
    moderator: true
`;

export interface Site {
  name: 'plain' | 'port-and-error-page';
  sidecar: TestSidecar;
  frontPort: number;
  backendPort: number;
  /** The public URL's origin, and its path prefix: always '' (PUBLIC_URL has no path). */
  origin: string;
  prefix: string;
  authErrorPage: boolean;
  agent: Agent;
}

export async function startSites(): Promise<Site[]> {
  const policy = writePolicy(FUZZ_POLICY);
  const common = { POLICY_FILE: policy, BACKEND_RATE_LIMIT: '1000000', FRONT_RATE_LIMIT: '0', LOG_LEVEL: 'warn' };
  const plain = await startTestSidecar({ ...common, PUBLIC_URL: 'https://meet.example.org' });
  const withPort = await startTestSidecar({ ...common, PUBLIC_URL: 'https://meet.example.org:8443/', AUTH_ERROR_PAGE: 'static/error.html' });
  const site = (name: Site['name'], sidecar: TestSidecar, origin: string, prefix: string, authErrorPage: boolean): Site => ({
    name,
    sidecar,
    frontPort: sidecar.server.front.port,
    backendPort: sidecar.server.backend.port,
    origin,
    prefix,
    authErrorPage,
    agent: new Agent({ keepAlive: true, maxSockets: 4 }),
  });
  return [site('plain', plain, 'https://meet.example.org', '', false), site('port-and-error-page', withPort, 'https://meet.example.org:8443', '', true)];
}

export async function stopSites(sites: Site[]): Promise<void> {
  for (const s of sites) s.agent.destroy();
  await Promise.all(sites.map((s) => s.sidecar.stop()));
}
