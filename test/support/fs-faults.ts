// Faults injected into node:fs from the tests, so shipped code carries no test hook. Every call
// that changes something under `root` counts as one write; before write number `at` (0-based)
// `fail` runs once: it throws (an error setup must undo) or kills the process (a crash).
// Patches the node:fs module object itself, which every importer reads through.

const realFs = require('node:fs') as Record<string, (...args: unknown[]) => unknown>;

/** fs calls that change a path: [name, indexes of their path arguments]. */
const PATH_WRITES: [string, number[]][] = [
  ['mkdirSync', [0]],
  ['openSync', [0]], // only with a flag that writes, see below
  ['writeFileSync', [0]],
  ['copyFileSync', [1]],
  ['chmodSync', [0]],
  ['chownSync', [0]],
  ['renameSync', [0, 1]],
  ['linkSync', [1]],
  ['unlinkSync', [0]],
  ['rmSync', [0]],
  ['rmdirSync', [0]],
];
/** fs calls that change an open file: counted when its fd was opened for writing under root. */
const FD_WRITES = ['writeFileSync', 'writeSync', 'fchmodSync', 'fchownSync'];

export interface FsFault {
  /** Every write seen so far, as "name path". */
  readonly writes: string[];
  /** Whether `fail` has run. */
  readonly fired: boolean;
  remove(): void;
}

export function injectFsFault(root: string, at: number, fail: (write: string) => void): FsFault {
  const originals = new Map<string, (...args: unknown[]) => unknown>();
  const writeFds = new Set<number>();
  const state = { writes: [] as string[], fired: false };
  const under = (p: unknown): p is string => typeof p === 'string' && (p === root || p.startsWith(`${root}/`));
  const count = (write: string): void => {
    if (state.writes.push(write) - 1 === at && !state.fired) {
      state.fired = true;
      fail(write);
    }
  };
  const patch = (name: string, wrap: (original: (...args: unknown[]) => unknown) => (...args: unknown[]) => unknown): void => {
    const original = originals.get(name) ?? (realFs[name] as (...args: unknown[]) => unknown);
    originals.set(name, original);
    realFs[name] = wrap(original);
  };
  for (const [name, pathArgs] of PATH_WRITES) {
    patch(name, (original) => (...args) => {
      const target = pathArgs.map((i) => args[i]).find(under);
      const opensForWriting = name !== 'openSync' || /[wa+]/.test(String(args[1] ?? 'r'));
      const fd = typeof args[0] === 'number' && FD_WRITES.includes(name) && writeFds.has(args[0]) ? args[0] : undefined;
      if ((target !== undefined && opensForWriting) || fd !== undefined) count(`${name} ${target ?? `fd ${fd}`}`);
      const result = original(...args);
      if (name === 'openSync' && target !== undefined && opensForWriting) writeFds.add(result as number);
      return result;
    });
  }
  for (const name of FD_WRITES.filter((n) => !PATH_WRITES.some(([p]) => p === n))) {
    patch(name, (original) => (...args) => {
      if (typeof args[0] === 'number' && writeFds.has(args[0])) count(`${name} fd`);
      return original(...args);
    });
  }
  return {
    get writes() {
      return state.writes;
    },
    get fired() {
      return state.fired;
    },
    remove() {
      for (const [name, original] of originals) realFs[name] = original;
    },
  };
}
