// doctor: which docker-jitsi-meet release is running, and whether it has what the features in use
// need. The release is read, in this order, from JITSI_IMAGE_VERSION in the checkout's .env, the
// tag of the running web and prosody images, and the default in the checkout's
// docker-compose.yml (docker-jitsi-meet release.sh @2e6b31d8 writes the release there in place of
// `unstable`); `latest`, `stable` and `unstable` name no release. What cannot be told is said to be
// unknown, never guessed.
import type { CheckResult, ComposeProject } from './doctor-checks';
import { moduleList } from './doctor-roles';

/** A docker-jitsi-meet release: stable-<number> (a -<n> suffix is a rebuild of the same release). */
export interface JitsiRelease {
  name: string;
  number: number;
  /** Where doctor read it. */
  source: string;
}

const STABLE = /^stable-(\d+)(?:-\d+)?$/;

function release(tag: string | undefined, source: string): JitsiRelease | undefined {
  const m = tag ? STABLE.exec(tag.trim()) : null;
  return m ? { name: tag!.trim(), number: Number(m[1]), source } : undefined;
}

/** The release the deployment runs, or undefined when nothing names one. */
export function jitsiRelease(envVersion: string | undefined, project: ComposeProject, composeFile: string | undefined): JitsiRelease | undefined {
  const fromEnv = release(envVersion, 'JITSI_IMAGE_VERSION in .env');
  if (fromEnv) return fromEnv;
  for (const service of ['prosody', 'web']) {
    const image = project.services.get(service)?.image;
    const tag = image?.includes(':') ? image.slice(image.lastIndexOf(':') + 1) : undefined;
    const fromImage = release(tag, `the running ${service} image (${image})`);
    if (fromImage) return fromImage;
  }
  const compose = composeFile ? /\$\{JITSI_IMAGE_VERSION:-([^}]+)\}/.exec(composeFile)?.[1] : undefined;
  // A default of `unstable` is main, and only .env or the images can say more.
  if (envVersion === undefined || envVersion.trim() === '') return release(compose, "the checkout's docker-compose.yml");
  return undefined;
}

/** What a feature in use needs of docker-jitsi-meet (JITSI.md "docker-jitsi-meet releases that matter to us"). */
interface Requirement {
  since: number;
  what: string;
  inUse(project: ComposeProject): boolean;
  /** What goes wrong on an older release. */
  otherwise: string;
}

const prosodyList = (project: ComposeProject, list: string): string[] => moduleList(project.services.get('prosody')?.env.get(list));

// Each line names the docker-jitsi-meet change it relies on.
const REQUIREMENTS: readonly Requirement[] = [
  {
    // web/rootfs/defaults/default (stable-10008): include /config/nginx-custom/*.conf
    since: 10008,
    what: "nginx-custom/*.conf (our /saml2jwt/ location, path mode)",
    inUse: (p) => (p.services.get('saml-sp')?.env.get('SAML2JWT_MODE') ?? 'path') !== 'host',
    otherwise: 'web ignores nginx-custom: /saml2jwt/ goes to Jitsi, and nobody can sign in',
  },
  {
    // prosody/Dockerfile (stable-9457): jitsi-contrib/prosody-plugins unpacked into /prosody-plugins-contrib
    since: 9457,
    what: "jitsi-contrib's plugins in /prosody-plugins-contrib (token_lobby_bypass, lobby_autostart)",
    inUse: (p) => prosodyList(p, 'XMPP_MUC_MODULES').some((m) => m === 'token_lobby_bypass' || m === 'lobby_autostart'),
    otherwise: 'prosody cannot load them: moderators wait in their own lobby',
  },
  {
    // prosody/rootfs/defaults/conf.d/jitsi-meet.cfg.lua (stable-10655): wait_for_host_disable_auto_owners
    since: 10655,
    what: 'WAIT_FOR_HOST_DISABLE_AUTO_OWNERS (muc_wait_for_host)',
    inUse: (p) => prosodyList(p, 'XMPP_MUC_MODULES').includes('muc_wait_for_host'),
    otherwise: 'the older image ignores it, and muc_wait_for_host makes every signed-in user owner',
  },
];

export function jitsiReleaseChecks(project: ComposeProject, found: JitsiRelease | undefined): CheckResult[] {
  const inUse = REQUIREMENTS.filter((r) => r.inUse(project));
  if (!found) {
    return [
      {
        ok: false,
        warning: true,
        what: `docker-jitsi-meet release: unknown (JITSI_IMAGE_VERSION is latest, unstable or unset, and neither the images nor docker-compose.yml name a stable-<n> release), so doctor cannot check ${inUse.map((r) => r.what).join(', ') || 'what the features in use need'}`,
        fix: 'set JITSI_IMAGE_VERSION=stable-<n> in .env (the release you run) and recreate the containers',
      },
    ];
  }
  const results: CheckResult[] = [{ ok: true, what: `docker-jitsi-meet ${found.name} (from ${found.source})` }];
  for (const r of inUse) {
    results.push(
      found.number >= r.since
        ? { ok: true, what: `${found.name} has ${r.what} (since stable-${r.since})` }
        : { ok: false, what: `${found.name} is older than stable-${r.since}, which ${r.what} needs: ${r.otherwise}`, fix: `upgrade docker-jitsi-meet to stable-${r.since} or later (JITSI_IMAGE_VERSION in .env, then docker compose pull && docker compose up -d)` },
    );
  }
  return results;
}
