// Requests as bytes we choose: node:http for well-formed ones (headers sent as the UTF-8 bytes
// an SP sends), node:net for request lines and headers no HTTP client would produce.
import { request, type Agent } from 'node:http';
import { connect } from 'node:net';

export interface Answer {
  status: number;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
  /** Status line, every header line and the body: what "nothing leaks" is checked against. */
  whole: string;
}

/** Header text as the bytes of its UTF-8 encoding (node:http writes header strings as latin1). */
export const utf8Bytes = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

export function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string | string[]>,
  agent: Agent | false,
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const out: Record<string, string> = {};
        const lines: string[] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          const name = (res.rawHeaders[i] as string).toLowerCase();
          const value = res.rawHeaders[i + 1] as string;
          out[name] = out[name] === undefined ? value : `${out[name]}, ${value}`;
          lines.push(`${name}: ${value}`);
        }
        resolve({ status: res.statusCode ?? 0, headers: out, body: text, whole: `HTTP ${res.statusCode}\n${lines.join('\n')}\n\n${text}` });
      });
      res.on('error', reject);
    });
    req.setTimeout(5000, () => req.destroy(new Error(`no answer within 5 s: ${method} ${path.slice(0, 120)}`)));
    req.on('error', reject);
    req.end(body);
  });
}

export interface RawAnswer {
  /** Every response in the stream (pipelining gives several), in order. */
  statuses: number[];
  text: string;
  /** The connection was reset before any byte came back. */
  reset: boolean;
}

/** Writes bytes to a fresh connection and reads until the server closes it (at most `ms`). */
export function sendRaw(port: number, bytes: Buffer, ms = 3000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let reset = false;
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const statuses = [...text.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));
      resolve({ statuses, text, reset: reset && chunks.length === 0 });
    };
    const timer = setTimeout(finish, ms);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => {
      reset = true;
    });
    socket.on('close', finish);
    socket.write(bytes, () => socket.end());
  });
}
