// JSON-lines logging (pino). Secrets and tokens never reach a log: the redact list is the
// last line of defence; callers must not pass them in the first place.
import pino from 'pino';

export type Logger = pino.Logger;

// Audit lines are batched up to 4 kB per write (one write syscall per line was ~8 % of a token's
// CPU under load) and flushed at least this often, so a quiet server still logs promptly.
const FLUSH_INTERVAL_MS = 500;

function stdoutDestination(): pino.DestinationStream {
  const destination = pino.destination({ fd: 1, sync: false, minLength: 4096 });
  setInterval(() => destination.flush(), FLUSH_INTERVAL_MS).unref();
  return destination;
}

export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'saml2jwt' },
      redact: {
        // Top-level keys only: wildcard paths cost ~10 µs per audit line on the hot path, and no
        // caller nests a secret (describeConfig masks the configuration before it is logged).
        paths: ['token', 'jwt', 'secret', 'apiKey', 'appSecret', 'proxySecret', 'authorization'],
        censor: '[redacted]',
      },
    },
    destination ?? stdoutDestination(),
  );
}

/** A logger that drops everything: for unit tests of lower layers. */
export const silentLogger: Logger = pino({ level: 'silent' });
