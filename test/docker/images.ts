// Our images as the tier builds them: through the overlay's own `build:` sections (so those are
// tested too), with the locally made base images passed in the contract's base-image arguments.
// Each image is built once per tier run, whichever test asks first. The stand-ins for Jitsi's
// prosody, jicofo and jvb are targets of one Dockerfile in the `full` fixture.
import * as path from 'node:path';
import { ComposeProject } from './compose-project';
import { docker, imageRepo, localBases, repoRoot, testImageVersion, testPrefix } from './docker-cli';

export type BuiltService = 'saml2jwt' | 'saml-sp' | 'test-idp' | 'web' | 'memcached';

export const tierImages: Record<BuiltService, string> = {
  saml2jwt: `${imageRepo}/sidecar:${testImageVersion}`,
  'saml-sp': `${imageRepo}/shib-sp:${testImageVersion}`,
  'test-idp': `${imageRepo}/test-idp:${testImageVersion}`,
  web: `saml2jwt-test/jitsi-web-stand-in:${testPrefix}latest`,
  memcached: `${imageRepo}/memcached:${testImageVersion}`,
};

export type StandIn = 'prosody' | 'prosody-before-9457' | 'jicofo' | 'jvb';

export const standInImages: Record<StandIn, string> = {
  prosody: `saml2jwt-test/jitsi-prosody-stand-in:${testPrefix}latest`,
  'prosody-before-9457': `saml2jwt-test/jitsi-prosody-stand-in:${testPrefix}before-9457`,
  jicofo: `saml2jwt-test/jitsi-jicofo-stand-in:${testPrefix}latest`,
  jvb: `saml2jwt-test/jitsi-jvb-stand-in:${testPrefix}latest`,
};

export const liveFixtureDir = path.join(repoRoot, 'test', 'docker', 'fixture', 'live');
/** docker-jitsi-meet with all four services (stand-ins), for stacks doctor checks end to end. */
export const fullFixtureDir = path.join(repoRoot, 'test', 'docker', 'fixture', 'full');

/** .env lines that make the overlay build and name the tier's images. */
export const buildEnv = {
  SAML2JWT_IMAGE_VERSION: testImageVersion,
  SAML2JWT_NODE_IMAGE: localBases.node,
  SAML2JWT_BASE_IMAGE: localBases.debian,
  JITSI_WEB_STAND_IN_IMAGE: tierImages.web,
  JITSI_PROSODY_STAND_IN_IMAGE: standInImages.prosody,
  JITSI_JICOFO_STAND_IN_IMAGE: standInImages.jicofo,
  JITSI_JVB_STAND_IN_IMAGE: standInImages.jvb,
};

/** Facts measured by the suites (e.g. an idle container's RSS), printed by tier-report.test.ts. */
export const tierFacts: string[] = [];

const builds = new Map<string, Promise<void>>();
export const buildSeconds = new Map<string, number>();

/** Runs an image's build once per tier run and records how long it took. */
function buildOnce(name: string, build: () => Promise<unknown>): Promise<void> {
  let running = builds.get(name);
  if (!running) {
    running = (async () => {
      const start = Date.now();
      try {
        await build();
      } finally {
        buildSeconds.set(name, Math.round((Date.now() - start) / 1000));
      }
    })();
    builds.set(name, running);
  }
  return running;
}

export function buildImage(service: BuiltService): Promise<void> {
  return buildOnce(service, async () => {
    const project = new ComposeProject({
      fixtureDir: liveFixtureDir,
      name: 'saml2jwt-build',
      env: { ...buildEnv, HTTPS_PORT: '0' },
      profiles: ['test-idp'],
      // memcached is a service of the HA overlay only.
      overlays: service === 'memcached' ? ['saml2jwt-ha.yml'] : [],
    });
    try {
      await project.compose(['build', service], 20 * 60_000);
    } finally {
      await project.destroy();
    }
  });
}

/** A stand-in for one of Jitsi's images: a target of the full fixture's stand-ins/Dockerfile. */
export function buildStandIn(target: StandIn): Promise<void> {
  const context = path.join(fullFixtureDir, 'stand-ins');
  return buildOnce(target, () =>
    docker(['build', '-q', '--target', target, '-t', standInImages[target], '--build-arg', `BASE_IMAGE=${localBases.debian}`, context], { timeoutMs: 10 * 60_000 }),
  );
}
