// The version of this sidecar, from its own package.json (semantic versioning; CHANGELOG.md).
// tsc copies the file next to the compiled code (dist/sidecar/package.json), so the image, which
// carries only dist/sidecar, knows its version too.
import sidecarPackage from '../package.json';

export const VERSION: string = sidecarPackage.version;
