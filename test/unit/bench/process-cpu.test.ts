import { expect } from 'chai';
import { cpuSeconds, cpuSecondsOfGroups, parseProcStat } from '../../../bench/support/process-cpu';

describe('bench/support/process-cpu: CPU time from /proc', () => {
  it('parses a stat line whose command holds spaces and ") "', () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime ...
    const stat = parseProcStat('4242 (php-fpm: pool (www) x) S 1 4200 4200 0 -1 4194304 100 0 0 0 250 50 30 20 20 0 1 0');
    expect(stat).to.deep.equal({ pid: 4242, processGroup: 4200, ownCpuSeconds: 3, reapedChildrenCpuSeconds: 0.5 });
    expect(() => parseProcStat('garbage')).to.throw();
  });

  it('reads this process: its CPU grows with work, and its group holds at least that much', () => {
    const before = cpuSeconds(process.pid);
    const until = performance.now() + 60;
    while (performance.now() < until); // burn ~60 ms
    expect(cpuSeconds(process.pid)).to.be.greaterThan(before);
    const ownGroup = parseProcStat(require('node:fs').readFileSync('/proc/self/stat', 'utf8')).processGroup;
    expect(cpuSecondsOfGroups([ownGroup]).get(ownGroup)).to.be.at.least(cpuSeconds(process.pid));
    expect(cpuSecondsOfGroups([2 ** 30]).get(2 ** 30)).to.equal(0);
  });
});
