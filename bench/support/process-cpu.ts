// CPU time of the processes under load, from /proc: on a shared machine the CPU a server spent
// per request is much steadier than its requests per second.
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS = 100; // USER_HZ on Linux

export interface ProcStat {
  pid: number;
  processGroup: number;
  /** user + system CPU seconds of the process itself. */
  ownCpuSeconds: number;
  /** user + system CPU seconds of the children it has waited for (gone from /proc since). */
  reapedChildrenCpuSeconds: number;
}

/** One /proc/<pid>/stat line. The command name may hold spaces and parentheses: fields start after the last ") ". */
export function parseProcStat(line: string): ProcStat {
  const close = line.lastIndexOf(') ');
  if (close < 0) throw new Error(`not a /proc stat line: ${line.slice(0, 60)}`);
  // f[0] is field 3 (state), so field n is f[n - 3]: pgrp is 5, utime/stime 14/15, cutime/cstime 16/17.
  const f = line.slice(close + 2).trim().split(' ');
  const ticks = (n: number): number => Number(f[n - 3]) / CLOCK_TICKS;
  return {
    pid: Number(line.slice(0, line.indexOf(' '))),
    processGroup: Number(f[5 - 3]),
    ownCpuSeconds: ticks(14) + ticks(15),
    reapedChildrenCpuSeconds: ticks(16) + ticks(17),
  };
}

function readStat(pid: number | string): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined; // gone meanwhile
  }
}

/** CPU seconds (user + system) one process has used so far, without its children. */
export function cpuSeconds(pid: number): number {
  const stat = readStat(pid);
  if (!stat) throw new Error(`no process ${pid}`);
  return stat.ownCpuSeconds;
}

/**
 * CPU seconds used so far by every process in each of `groups` (process group ids: Apache and its
 * workers, shibd, ...), the children they have reaped included.
 */
export function cpuSecondsOfGroups(groups: readonly number[]): Map<number, number> {
  const totals = new Map<number, number>(groups.map((g) => [g, 0]));
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    const total = stat && totals.get(stat.processGroup);
    if (stat && total !== undefined) totals.set(stat.processGroup, total + stat.ownCpuSeconds + stat.reapedChildrenCpuSeconds);
  }
  return totals;
}
