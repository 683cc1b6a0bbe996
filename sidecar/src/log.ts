// JSON-lines logging (pino). Secrets and tokens never reach a log: the redact list is the
// last line of defence; callers must not pass them in the first place.
import pino from 'pino';

export type Logger = pino.Logger;

// pino's own asynchronous destination (SonicBoom): lines are gathered up to 4 kB and written
// without blocking, so a slow reader of our stdout does not stall requests. SonicBoom's own
// periodicFlush bounds how long a line waits on a quiet server (the e2e tests rely on 500 ms).
// pino flushes synchronously on process exit (a crash included) and main flushes on its drain
// path; only a SIGKILL or an OOM kill can lose the last lines (at most 4 kB or 500 ms of them).
function stdoutDestination(): pino.DestinationStream {
  return pino.destination({ fd: 1, sync: false, minLength: 4096, periodicFlush: 500 });
}

export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'saml2jwt' },
      redact: {
        // Top-level keys only: no caller nests a secret (describeConfig masks the configuration
        // before it is logged), and wildcard paths would slow every audit line (bench/README.md).
        paths: ['token', 'jwt', 'secret', 'apiKey', 'appSecret', 'proxySecret', 'authorization'],
        censor: '[redacted]',
      },
    },
    destination ?? stdoutDestination(),
  );
}

/** A logger that drops everything: for unit tests of lower layers. */
export const silentLogger: Logger = pino({ level: 'silent' });
