// The key server Prosody fetches RS256 public keys from (JWT_ASAP_KEYSERVER), on the backend
// listener only:
//   GET /asap/<hex(sha256(kid))>.pem   one published key as a PEM public key (JITSI.md's rule)
//   GET /.well-known/jwks.json         every published key as a JWK set, for other consumers
// A retired or revoked key is gone from both. Answers may be cached for at most the activation
// delay (token/keys/prosody-key-cache.ts), and a kid always names the same key.
import type Koa from 'koa';
import { Refusal } from '../refusal';
import { ASAP_FILE_NAME } from '../token/keys/key-id';
import type { KeyRing } from '../token/keys/key-ring';
import { keyServerCacheControl } from '../token/keys/prosody-key-cache';

const unknownKey = (): Refusal => new Refusal('not_found', 'unknown_key', 'No published key has that name.');

export function asapPublicKey(keys: KeyRing): Koa.Middleware {
  return (ctx) => {
    const file: unknown = (ctx.params as Record<string, unknown> | undefined)?.file;
    // Exactly what Prosody asks for: 64 lower-case hex digits and ".pem", nothing else.
    // The raw path too: the router decodes %-escapes, and a key has exactly one spelling.
    if (typeof file !== 'string' || !ASAP_FILE_NAME.test(file) || ctx.path !== `/asap/${file}`) throw unknownKey();
    const key = keys.publishedByAsapFile(file);
    if (!key) throw unknownKey();
    ctx.set('Cache-Control', keyServerCacheControl(keys.timing));
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.type = 'application/x-pem-file';
    ctx.body = key.publicPem;
  };
}

export function jwksDocument(keys: KeyRing): Koa.Middleware {
  return (ctx) => {
    ctx.set('Cache-Control', keyServerCacheControl(keys.timing));
    ctx.type = 'application/jwk-set+json';
    ctx.body = {
      keys: keys.publishedKeys().map((k) => ({ ...k.publicKey.export({ format: 'jwk' }), kid: k.kid, use: 'sig', alg: 'RS256' })),
    };
  };
}
