// Our images as the tier builds them: through the overlay's own `build:` sections (so those are
// tested too), with the locally made base images passed in the contract's base-image arguments.
// Each image is built once per tier run, whichever test asks first.
import * as path from 'node:path';
import { ComposeProject } from './compose-project';
import { imageRepo, localBases, repoRoot, testImageVersion, testPrefix } from './docker-cli';

export type BuiltService = 'saml2jwt' | 'saml-sp' | 'test-idp' | 'web' | 'memcached';

export const tierImages: Record<BuiltService, string> = {
  saml2jwt: `${imageRepo}/sidecar:${testImageVersion}`,
  'saml-sp': `${imageRepo}/shib-sp:${testImageVersion}`,
  'test-idp': `${imageRepo}/test-idp:${testImageVersion}`,
  web: `saml2jwt-test/jitsi-web-stand-in:${testPrefix}latest`,
  memcached: `${imageRepo}/memcached:${testImageVersion}`,
};

export const liveFixtureDir = path.join(repoRoot, 'test', 'docker', 'fixture', 'live');

/** .env lines that make the overlay build and name the tier's images. */
export const buildEnv = {
  SAML2JWT_IMAGE_VERSION: testImageVersion,
  SAML2JWT_NODE_IMAGE: localBases.node,
  SAML2JWT_BASE_IMAGE: localBases.debian,
  JITSI_WEB_STAND_IN_IMAGE: tierImages.web,
};

/** Facts measured by the suites (e.g. an idle container's RSS), printed by tier-report.test.ts. */
export const tierFacts: string[] = [];

const builds = new Map<BuiltService, Promise<void>>();
export const buildSeconds = new Map<BuiltService, number>();

export function buildImage(service: BuiltService): Promise<void> {
  let build = builds.get(service);
  if (!build) {
    build = (async () => {
      const project = new ComposeProject({
        fixtureDir: liveFixtureDir,
        name: 'saml2jwt-build',
        env: { ...buildEnv, HTTPS_PORT: '0' },
        profiles: ['test-idp'],
        // memcached is a service of the HA overlay only.
        overlays: service === 'memcached' ? ['saml2jwt-ha.yml'] : [],
      });
      const start = Date.now();
      try {
        await project.compose(['build', service], 20 * 60_000);
      } finally {
        buildSeconds.set(service, Math.round((Date.now() - start) / 1000));
        await project.destroy();
      }
    })();
    builds.set(service, build);
  }
  return build;
}
