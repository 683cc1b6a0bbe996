// POST bodies of the backend API: form-encoded or JSON, at most 16 kB, one value per name.
import type Koa from 'koa';
import { Refusal } from '../refusal';
import { checkValue, MAX_PARAMETERS, parseParams, type Params } from './query';

export const MAX_BODY_BYTES = 16 * 1024;

async function readRaw(ctx: Koa.Context): Promise<string> {
  const declared = Number(ctx.get('Content-Length') || '0');
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tooLarge(): Refusal {
  return new Refusal('bad_input', 'body_too_large', `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
}

export async function readBodyParams(ctx: Koa.Context): Promise<Params> {
  const type = ctx.request.type; // media type without parameters, lower-cased
  if (type === 'application/x-www-form-urlencoded') return parseParams(await readRaw(ctx));
  if (type === 'application/json') {
    let value: unknown;
    try {
      value = JSON.parse(await readRaw(ctx));
    } catch (err) {
      if (err instanceof Refusal) throw err;
      throw new Refusal('bad_input', 'malformed_body', 'The request body is not valid JSON.');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new Refusal('bad_input', 'malformed_body', 'The request body must be a JSON object.');
    }
    const entries = Object.entries(value);
    if (entries.length > MAX_PARAMETERS) {
      throw new Refusal('bad_input', 'too_many_parameters', `The request has more than ${MAX_PARAMETERS} parameters.`);
    }
    const params: Params = {};
    for (const [name, v] of entries) {
      if (v === null || v === undefined) continue;
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        throw new Refusal('bad_input', 'malformed_body', `"${name}" must be a string, number or boolean.`);
      }
      const text = String(v);
      checkValue(name, text);
      params[name] = text;
    }
    return params;
  }
  throw new Refusal('bad_input', 'unsupported_body', 'POST bodies must be application/x-www-form-urlencoded or application/json.');
}
