// JSON-lines logging (pino). Secrets and tokens never reach a log: the redact list is the
// last line of defence; callers must not pass them in the first place.
import pino from 'pino';

export type Logger = pino.Logger;

/** SonicBoom in contentMode 'buffer' (its types only name strings). */
interface Destination {
  write(chunk: Buffer): boolean;
  flush(cb?: (err?: Error) => void): void;
  flushSync(): void;
}

// Lines are gathered into ~16 kB batches before they reach stdout, and flushed at least this
// often, so a quiet server still logs promptly. One write per line was ~8 % of a token's CPU;
// SonicBoom's own minLength buffering re-measures its whole pending buffer on every line, which
// cost more than pino's serialising of the line (~10 µs per audit line under load, in total).
// Handing SonicBoom one Buffer per batch spares it two more passes over the text.
const BATCH_BYTES = 16384;
const FLUSH_INTERVAL_MS = 500;

class LineBatch implements pino.DestinationStream {
  private lines: string[] = [];
  private size = 0;

  constructor(private readonly destination: Destination) {}

  write(line: string): void {
    this.lines.push(line);
    this.size += line.length;
    if (this.size >= BATCH_BYTES) this.release();
  }

  /** logger.flush() lands here. */
  flush(cb?: (err?: Error) => void): void {
    this.release();
    this.destination.flush(cb);
  }

  flushSync(): void {
    this.release();
    this.destination.flushSync();
  }

  private release(): void {
    if (this.lines.length === 0) return;
    const text = this.lines.join('');
    this.lines = [];
    this.size = 0;
    this.destination.write(Buffer.from(text, 'utf8'));
  }
}

function stdoutDestination(): pino.DestinationStream {
  // Asynchronous: a slow reader of our stdout must not stall requests.
  const stdout = pino.destination({ fd: 1, sync: false, contentMode: 'buffer' }) as unknown as Destination;
  const batch = new LineBatch(stdout);
  setInterval(() => batch.flush(), FLUSH_INTERVAL_MS).unref();
  // Whatever is still gathered when the process ends (a crash, process.exit) is written out.
  process.once('exit', () => {
    try {
      batch.flushSync();
    } catch {
      // stdout already gone: nothing left to tell
    }
  });
  return batch;
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
