// The NODE_OPTIONS the sidecar image sets (sidecar/Dockerfile), so that the bench and the soak run
// the built sidecar under the same V8 flags as a container does.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const DOCKERFILE = join(__dirname, '../../sidecar/Dockerfile');

export function imageNodeOptions(dockerfile = readFileSync(DOCKERFILE, 'utf8')): string {
  const value = /^[ \t]*(?:ENV[ \t]+)?NODE_OPTIONS=("[^"]*"|\S+)/m.exec(dockerfile)?.[1];
  if (value === undefined) throw new Error('sidecar/Dockerfile sets no NODE_OPTIONS');
  return value.replace(/^"|"$/g, '');
}
