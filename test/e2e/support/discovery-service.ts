// A SAML discovery service (the SAMLDS protocol the SP speaks to SSO_URL) on 127.0.0.1 that, instead
// of asking the user, sends the browser straight back with the IdP the test chose.
import { createServer } from 'node:http';
import { closeServer, listenOnLoopback } from './ports';

export interface DiscoveryService {
  /** SSO_URL. */
  url: string;
  /** The entityID returned to the SP from now on. */
  choose(entityId: string): void;
  /** How many times the SP sent a browser here. */
  readonly visits: number;
  close(): Promise<void>;
}

export async function startDiscoveryService(): Promise<DiscoveryService> {
  let chosen = '';
  let visits = 0;
  const server = createServer((req, res) => {
    const query = new URL(req.url ?? '/', 'http://ds').searchParams;
    const back = query.get('return');
    if (!back || !chosen) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('no return URL, or no IdP chosen\n');
      return;
    }
    visits++;
    const location = new URL(back);
    location.searchParams.set(query.get('returnIDParam') || 'entityID', chosen);
    res.writeHead(302, { location: location.href }).end();
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}/ds/WAYF`,
    choose: (entityId) => void (chosen = entityId),
    get visits() {
      return visits;
    },
    close: () => closeServer(server),
  };
}
