// Where this package's own files (compose-overlay/...) are, whether we run as scripts/x.ts
// through tsx or as dist/scripts/x.js after the build.
import * as fs from 'node:fs';
import * as path from 'node:path';

const packageName = 'jitsi-saml2jwt';

export function packageRoot(from = __dirname): string {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        if ((JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === packageName) return dir;
      } catch {
        // not ours or unreadable: keep walking up
      }
    }
    dir = path.dirname(dir);
  }
  throw new Error(`cannot find the ${packageName} package root above ${from}`);
}
