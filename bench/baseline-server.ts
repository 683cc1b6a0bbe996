// The yardstick for `npm run bench`: the least a token server can do. Bare node:http, parse
// the query, build the same kind of claims, HMAC-SHA256 them, answer 302 or 200. No checks,
// no logs, no metrics. Usage: node baseline-server.js <front port> <backend port> <secret>
import { createHmac, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { parse } from 'node:querystring';

const [frontPort, backendPort, secret] = process.argv.slice(2);
if (!frontPort || !backendPort || !secret) {
  process.stderr.write('usage: baseline-server <front port> <backend port> <secret>\n');
  process.exit(2);
}

const HEADER = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');

function sign(claims: object): string {
  const input = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${input}.${createHmac('sha256', secret as string).update(input).digest('base64url')}`;
}

function token(room: string, mail: string): string {
  const now = Math.floor(Date.now() / 1000);
  return sign({
    iss: 'bench',
    aud: 'bench',
    sub: 'meet.jitsi',
    room: room.toLowerCase(),
    iat: now,
    nbf: now - 30,
    exp: now + 3600,
    jti: randomUUID(),
    context: { user: { id: mail, name: mail, email: mail }, features: { recording: true, livestreaming: false } },
  });
}

const server = (kind: 'front' | 'backend') =>
  createServer((req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const query = parse(q < 0 ? '' : url.slice(q + 1));
    const room = String(query.room ?? 'room');
    if (kind === 'front') {
      const mail = String(req.headers.mail ?? 'someone@example.org');
      res.writeHead(302, { Location: `https://meet.example.org/${encodeURIComponent(room)}#jwt=%22${token(room, mail)}%22&config.prejoinConfig.enabled=false` });
      res.end();
    } else {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(token(room, String(query.mail ?? 'someone@example.org')));
    }
  });

server('front').listen(Number(frontPort), '127.0.0.1');
server('backend').listen(Number(backendPort), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
