// The processes one e2e run starts: each logs to its own file under the run's temp folder,
// and every one of them is stopped by its pid (and its process group) when the run ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { serviceUser } from './service-user';

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as the unprivileged service user (when the test runs as root), as in the image. */
  asServiceUser?: boolean;
}

interface Started {
  name: string;
  child: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
}

export class ProcessGroup {
  private readonly started: Started[] = [];

  constructor(private readonly logDir: string) {}

  start(name: string, command: string, args: string[], options: StartOptions = {}): ChildProcess {
    const logFile = join(this.logDir, `${name}.log`);
    const fd = openSync(logFile, 'a');
    const user = options.asServiceUser ? serviceUser() : undefined;
    const [cmd, argv] = user
      ? ['setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', command, ...args]]
      : [command, args];
    // detached: own process group, so Apache's workers and piped loggers go with it.
    const child = spawn(cmd, argv, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', fd, fd], detached: true });
    closeSync(fd);
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null)));
      child.once('error', () => resolve(-1));
    });
    this.started.push({ name, child, logFile, exited });
    return child;
  }

  /** The pid of a started process (setpriv execs its command, so this is the process itself). */
  pid(name: string): number | undefined {
    return this.started.find((s) => s.name === name)?.child.pid;
  }

  /** The end of a process's log, for failure messages. */
  tail(name: string, lines = 40): string {
    const entry = this.started.find((s) => s.name === name);
    if (!entry || !existsSync(entry.logFile)) return '';
    return readFileSync(entry.logFile, 'utf8').split('\n').slice(-lines).join('\n');
  }

  /** The whole log of a process started under this name (all its starts), '' when none. */
  log(name: string): string {
    const file = join(this.logDir, `${name}.log`);
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  /** Throws when a started process has already died (with its log). */
  assertRunning(name: string): void {
    const entry = this.started.find((s) => s.name === name);
    if (entry && (entry.child.exitCode !== null || entry.child.signalCode !== null)) {
      throw new Error(`${name} exited (${entry.child.exitCode ?? entry.child.signalCode}):\n${this.tail(name)}`);
    }
  }

  /** Stops one started process (and its process group), e.g. to start it again with another configuration. */
  async stop(name: string, graceMs = 5000): Promise<void> {
    const index = this.started.findIndex((s) => s.name === name);
    if (index < 0) return;
    const [entry] = this.started.splice(index, 1) as [Started];
    await stopOne(entry, graceMs);
  }

  /** SIGTERM each process group (newest first), SIGKILL what is left after a grace period. */
  async stopAll(graceMs = 5000): Promise<void> {
    for (const s of [...this.started].reverse()) {
      await stopOne(s, graceMs);
    }
    this.started.length = 0;
  }
}

async function stopOne(s: Started, graceMs: number): Promise<void> {
  const pid = s.child.pid;
  if (pid === undefined) return;
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  if (s.child.exitCode === null && s.child.signalCode === null) {
    signalGroup('SIGTERM');
    const timedOut = await Promise.race([s.exited.then(() => false), delay(graceMs).then(() => true)]);
    if (timedOut) {
      signalGroup('SIGKILL');
      await s.exited;
    }
  }
  // Leftovers of the group (e.g. a piped logger) after the leader exited.
  signalGroup('SIGKILL');
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls check() every intervalMs until it returns true; bounded by timeoutMs. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20000, intervalMs = 150): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      lastError = err;
    }
    await delay(intervalMs);
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}
