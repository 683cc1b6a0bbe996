// A real memcached on the host (Debian's), for SP_SESSION_STORE=memcache: started in a test's
// process group on a port of its own, and asked in memcached's text protocol.
import { connect } from 'node:net';
import { type ProcessGroup, waitFor } from './processes';

/** One memcached text-protocol command; the answer up to its terminating line. */
export function memcached(port: number, command: string, end = /(END|VERSION [^\r]*)\r\n$/): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setTimeout(3000, () => socket.destroy(new Error('memcached timed out')));
    socket.on('data', (d) => {
      answer += d.toString('latin1');
      if (end.test(answer)) socket.end();
    });
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    socket.write(`${command}\r\n`);
  });
}

/** Starts memcached (as the process "memcached" of `group`) on 127.0.0.1:`port`, TCP only, and waits for it. */
export async function startMemcached(group: ProcessGroup, port: number): Promise<void> {
  group.start('memcached', '/usr/bin/memcached', ['-l', '127.0.0.1', '-p', String(port), '-U', '0', '-m', '16'], { asServiceUser: true });
  await waitFor('memcached', async () => (await memcached(port, 'version').catch(() => '')).startsWith('VERSION'), 10000);
}

/** Every key memcached holds (its LRU crawler's dump), decoded. */
export async function memcachedKeys(port: number): Promise<string[]> {
  const dump = await memcached(port, 'lru_crawler metadump all');
  return [...dump.matchAll(/^key=(\S+)/gm)].map((m) => decodeURIComponent(m[1] as string));
}
