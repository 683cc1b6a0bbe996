// What `doctor` checks when the SP runs as several replicas (compose-overlay/saml2jwt-ha.yml):
// a login's answer from the IdP may land on any of them, so every replica must keep its sessions
// in the same store, speak as the same SP (entityID) and hold the same SP certificate (the one
// the IdP encrypts to and checks signatures with).
import { createHash } from 'node:crypto';
import { projectLabel, serviceContainer, serviceLabel, type CheckResult, type ContainerInspect, type ProbeResult, type ServiceContainer } from './doctor-checks';

const haFix = 'start with the HA overlay, which gives every replica the shared store and the one key folder: docker compose -f docker-compose.yml -f saml2jwt.yml -f saml2jwt-ha.yml up -d';

/** The running containers of one service of one compose project, by name. */
export function runningReplicas(inspects: ContainerInspect[], project: string, service: string): ServiceContainer[] {
  return inspects
    .filter((i) => i.Config.Labels?.[projectLabel] === project && i.Config.Labels?.[serviceLabel] === service)
    .map(serviceContainer)
    .filter((c) => c.status === 'running')
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The SHA-256 fingerprint (AB:CD:...) of the certificate in an SP's metadata, as doctor's
 * metadataProbe reads it inside the replica: the certificate the replica actually uses, as the
 * IdP sees it (the key folder itself is the service user's, closed to root without capabilities).
 */
export function fingerprintFromProbe(probe: ProbeResult | undefined): string | undefined {
  if (probe?.exitCode !== 0) return undefined;
  const base64 = /<(?:\w+:)?X509Certificate>([A-Za-z0-9+/=\s]+)<\/(?:\w+:)?X509Certificate>/.exec(probe.output)?.[1]?.replace(/\s+/g, '');
  if (!base64) return undefined;
  return createHash('sha256').update(Buffer.from(base64, 'base64')).digest('hex').toUpperCase().match(/../g)?.join(':');
}

/** Where a replica keeps sessions, as saml2jwt-render reads its environment. */
function storeOf(c: ServiceContainer): string {
  const store = c.env.get('SP_SESSION_STORE') || 'memory';
  return store === 'memcache' ? `memcache ${c.env.get('MEMCACHED_HOSTS') || 'memcached:11211'}` : store;
}

/** One line per distinct value: "value (replica, replica)". */
function byValue(replicas: ServiceContainer[], valueOf: (c: ServiceContainer) => string): string {
  const groups = new Map<string, string[]>();
  for (const c of replicas) groups.set(valueOf(c), [...(groups.get(valueOf(c)) ?? []), c.name]);
  return [...groups].map(([value, names]) => `${value} (${names.join(', ')})`).join('; ');
}

/**
 * Nothing with fewer than two running SP replicas. Else: the same shared store (memory is one per
 * replica, so it fails even when all say it), the same SP_ENTITY_ID, the same SP certificate.
 * `metadata` holds metadataProbe's result per container name.
 */
export function spReplicaChecks(replicas: ServiceContainer[], metadata: Map<string, ProbeResult>, opts: { saml: boolean } = { saml: true }): CheckResult[] {
  if (replicas.length < 2) return [];
  const n = `${replicas.length} SP replicas`;
  const results: CheckResult[] = [];

  const stores = new Set(replicas.map(storeOf));
  const [store] = stores;
  if (stores.size === 1 && store !== 'memory') {
    results.push({ ok: true, what: `${n} share one session store: ${store}` });
  } else {
    results.push({
      ok: false,
      what: `${n} do not share one session store (${byValue(replicas, storeOf)}): the IdP's answer to a login may reach a replica that never sent the request, and sessions are lost with their replica`,
      fix: haFix,
    });
  }

  // OpenID Connect alone: no entityID or SP certificate to agree on.
  if (!opts.saml) return results;

  const entityOf = (c: ServiceContainer): string => c.env.get('SP_ENTITY_ID') || '(default: <PUBLIC_URL>/saml2jwt/shibboleth)';
  const entities = new Set(replicas.map((c) => `${entityOf(c)} ${c.env.get('PUBLIC_URL') ?? ''}`));
  results.push(
    entities.size === 1
      ? { ok: true, what: `${n} speak as one SP: ${entityOf(replicas[0] as ServiceContainer)}` }
      : { ok: false, what: `${n} speak as different SPs: ${byValue(replicas, entityOf)}`, fix: 'set SP_ENTITY_ID (and PUBLIC_URL) once in the .env and recreate the replicas: docker compose ... up -d' },
  );

  const unread = replicas.filter((c) => fingerprintFromProbe(metadata.get(c.name)) === undefined);
  if (unread.length > 0) {
    results.push({
      ok: false,
      what: `the SP certificate could not be read from the metadata of ${unread.map((c) => c.name).join(', ')}`,
      fix: `see \`docker logs ${(unread[0] as ServiceContainer).name}\``,
    });
  } else {
    const fingerprintOf = (c: ServiceContainer): string => fingerprintFromProbe(metadata.get(c.name)) as string;
    const distinct = new Set(replicas.map(fingerprintOf));
    results.push(
      distinct.size === 1
        ? { ok: true, what: `${n} hold the same SP certificate (SHA-256 ${fingerprintOf(replicas[0] as ServiceContainer)})` }
        : {
            ok: false,
            what: `${n} hold different SP certificates (${byValue(replicas, fingerprintOf)}): the IdP encrypts to the one in its metadata, so logins through the others fail`,
            fix: 'mount the one key folder, ${CONFIG}/saml2jwt/sp, in every replica (saml2jwt.yml does) and keep the pair registered at the IdP',
          },
    );
  }
  return results;
}
