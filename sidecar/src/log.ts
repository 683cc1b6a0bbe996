// JSON-lines logging (pino). Secrets and tokens never reach a log: the redact list is the
// last line of defence; callers must not pass them in the first place.
import pino from 'pino';

export type Logger = pino.Logger;

export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'saml2jwt' },
      redact: {
        paths: ['token', 'jwt', 'secret', 'apiKey', '*.token', '*.jwt', '*.appSecret', '*.apiKey', '*.proxySecret'],
        censor: '[redacted]',
      },
    },
    destination ?? pino.destination({ fd: 1, sync: false }),
  );
}

/** A logger that drops everything: for unit tests of lower layers. */
export const silentLogger: Logger = pino({ level: 'silent' });
