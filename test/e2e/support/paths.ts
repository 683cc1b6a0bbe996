import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '../../..');
/** The SP image's files as they land in the image: the e2e uses the same templates and scripts. */
export const spRootfs = join(repoRoot, 'shib-image/rootfs');
export const idpRootfs = join(repoRoot, 'compose-overlay/test-idp/rootfs');
