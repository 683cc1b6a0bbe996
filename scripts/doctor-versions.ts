// doctor: which release of jitsi-saml2jwt is running. The images carry it in their
// org.opencontainers.image.version label, the overlay files setup copied into the checkout on
// their first line, and doctor itself is a release too. Parts of different releases may not
// fit together (a variable the older sidecar does not read, a snippet it does not expect): a
// warning, with the way to bring them into step.
import { VERSION } from '../sidecar/src/version';
import type { CheckResult, ComposeProject } from './doctor-checks';

const OVERLAY_HEADER = /^# jitsi-saml2jwt (\S+)$/m;

/** The release named by an overlay file's header line, `# jitsi-saml2jwt 0.2.0`. */
export function overlayVersion(text: string): string | undefined {
  return OVERLAY_HEADER.exec(text.split('\n')[0] ?? '')?.[1];
}

/** One line: the release of doctor, of our images and of the checkout's saml2jwt.yml, and whether they agree. */
export function versionCheck(project: ComposeProject, overlayText: string | undefined, doctorVersion = VERSION): CheckResult {
  const parts: [string, string][] = [['doctor', doctorVersion]];
  for (const service of ['saml2jwt', 'saml-sp']) {
    const container = project.services.get(service);
    if (container) parts.push([`the ${service} image`, container.imageVersion ?? 'unknown (built before 0.2.0)']);
  }
  if (overlayText !== undefined) parts.push(["the checkout's saml2jwt.yml", overlayVersion(overlayText) ?? 'unknown (copied before 0.2.0)']);
  const versions = new Set(parts.map(([, v]) => v));
  if (versions.size === 1) return { ok: true, what: `jitsi-saml2jwt ${doctorVersion}: ${parts.map(([what]) => what).join(', ')}` };
  return {
    ok: false,
    warning: true,
    what: `jitsi-saml2jwt releases differ: ${parts.map(([what, v]) => `${what} ${v}`).join(', ')}`,
    fix: `bring them to one release: run this release's \`jitsi-saml2jwt setup <jitsi-dir> …\` again (it copies the overlay files), then \`docker compose -f docker-compose.yml -f saml2jwt.yml build saml2jwt saml-sp && docker compose … up -d\` (CHANGELOG.md says what changed)`,
  };
}
