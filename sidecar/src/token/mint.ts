// One token for one user in one room: claims, then signature.
import type { Config } from '../config/config';
import { buildClaims } from './assign-claims';
import type { JitsiClaims, MintedToken, TokenRequest } from './claims';

/** `now` is in seconds since the epoch. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function mintToken(
  req: TokenRequest,
  cfg: Config,
  sign: (c: JitsiClaims) => string,
  now: number = nowSeconds(),
): MintedToken {
  const claims = buildClaims(req, cfg, now);
  return { token: sign(claims), claims };
}
