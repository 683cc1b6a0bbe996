// Where the front listener binds, from SIDECAR_HOST: an address as given, or a host name, then
// each address of that name that is this machine's own, plus 127.0.0.1 for the health check.
//
// Why a name: the front port must be reachable from the SP alone. In the compose overlay the
// sidecar is on saml2jwt-internal with the SP, and with saml2jwt-rs256.yml or
// saml2jwt-meet-network.yml on meet.jitsi too, where every Jitsi container is. SIDECAR_HOST is
// then an alias the sidecar has on saml2jwt-internal only, so the name gives the container's
// address on that network and no other: a container on meet.jitsi gets "connection refused"
// from the kernel, before any of our code runs, while the backend port (Prosody's key server,
// 0.0.0.0) still answers there. The address is looked up at every start, so a restart on a new
// address works; with replicas (saml2jwt-ha.yml) the name lists every replica's address and each
// binds the one that is its own. A fixed address or subnet would clash with replicas and with
// the operator's networks, and interface names (eth0, eth1) follow no documented order.
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

export interface FrontAddressDeps {
  lookup?: (name: string) => Promise<string[]>;
  /** This machine's own addresses. */
  ownAddresses?: () => string[];
  /** How long to wait for the name to list an own address (Docker registers it as the container starts). */
  waitMs?: number;
}

const HEALTH_CHECK_ADDRESS = '127.0.0.1';

const lookupAll = async (name: string): Promise<string[]> => (await dnsLookup(name, { all: true })).map((a) => a.address);
const interfaceAddresses = (): string[] => Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));

export async function frontAddresses(host: string, deps: FrontAddressDeps = {}): Promise<string[]> {
  if (isIP(host) !== 0) return [host];
  const { lookup = lookupAll, ownAddresses = interfaceAddresses, waitMs = 10_000 } = deps;
  const deadline = Date.now() + waitMs;
  for (;;) {
    let named: string[] = [];
    let failure = '';
    try {
      named = await lookup(host);
    } catch (err) {
      failure = (err as NodeJS.ErrnoException).code ?? String(err);
    }
    const own = new Set(ownAddresses());
    const mine = named.filter((address) => own.has(address));
    if (mine.length > 0) return [...new Set([...mine, HEALTH_CHECK_ADDRESS])];
    if (Date.now() >= deadline) {
      const found = failure !== '' ? `cannot be looked up (${failure})` : `names ${named.join(', ') || 'no address'}, none of them this machine's`;
      throw new Error(`SIDECAR_HOST=${host} ${found}: give an address, or a name of this machine (the overlay's alias on saml2jwt-internal)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
