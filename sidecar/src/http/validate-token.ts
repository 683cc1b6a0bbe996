// GET|POST /validateToken (alias /isValidToken): would Prosody accept this token from us?
import type Koa from 'koa';
import compose from 'koa-compose';
import { Refusal } from '../refusal';
import { verifyToken } from '../token/verify';
import type { HttpDeps } from './deps';
import { readParams } from './query';
import { readBodyParams } from './request-body';

export function validateToken(deps: HttpDeps, guard: Koa.Middleware): Koa.Middleware {
  const respondVerdict: Koa.Middleware = async (ctx) => {
    const params = ctx.method === 'POST' ? await readBodyParams(ctx) : readParams(ctx.querystring);
    const token = params.jwt ?? params.token;
    if (token === undefined || token === '') throw new Refusal('bad_input', 'missing_jwt', 'No jwt was given.');
    const result = verifyToken(token, deps.cfg, undefined, deps.keys);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = result.valid ? { valid: true } : { valid: false, reason: result.reason ?? 'invalid' };
  };
  return compose([guard, respondVerdict]);
}
