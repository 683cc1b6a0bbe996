#!/usr/bin/env node
// The sidecar image's entrypoint: `node dist/sidecar/src/main.js [--env-file <path>]` runs serve.
// The operator CLI (scripts/cli.ts) reaches the same serve; this file keeps the image free of it.
import { run } from './serve';

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`jitsi-saml2jwt: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
