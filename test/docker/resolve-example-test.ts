// Preloaded (node --require) into a CLI run of the docker tier: *.example.test resolves to
// 127.0.0.1 in that process, as in the test browser (--host-resolver-rules), so `doctor` reaches
// the stack's public URL the way it reaches an operator's real site name. Nothing else changes; never import it
// into a test process.
import dns from 'node:dns';

type Callback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

const systemLookup = dns.lookup;

function lookupExampleTest(hostname: string, ...rest: unknown[]): void {
  const callback = rest.pop() as Callback;
  const options = rest[0];
  if (!/\.example\.test\.?$/i.test(hostname)) {
    (systemLookup as (...args: unknown[]) => void)(hostname, ...(options === undefined ? [] : [options]), callback);
    return;
  }
  const all = typeof options === 'object' && options !== null && (options as dns.LookupOptions).all === true;
  process.nextTick(() => (all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4)));
}

(dns as { lookup: unknown }).lookup = lookupExampleTest;
