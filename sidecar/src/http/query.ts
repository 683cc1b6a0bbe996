// The query string of a token request, as exactly one value per name. Duplicates are refused
// (which one would a proxy or the browser have meant?), and so are control characters and
// oversized values: nothing we accept can smuggle a header line or bloat a log line.
import { parse } from 'node:querystring';
import type { Params } from '../meeting/meeting-request';
import { Refusal } from '../refusal';

export type { Params };

/** Longest value we accept for any parameter (state is the largest legitimate one). */
export const MAX_VALUE_LENGTH = 4096;

const CONTROL = /[\u0000-\u001f\u007f]/;

/** More parameters than any real request needs; also bounds the work on hostile input. */
export const MAX_PARAMETERS = 64;

export function readParams(querystring: string): Params {
  if (querystring === '') return {};
  return parseParams(querystring);
}

/**
 * Parses `a=1&b=2` (query string or form body). Every pair is read (maxKeys 0): Node's default of
 * 1000 would silently drop later pairs, hiding a duplicate or a bad value from the checks below.
 */
export function parseParams(text: string): Params {
  const parsed = parse(text, '&', '=', { maxKeys: 0 });
  if (Object.keys(parsed).length > MAX_PARAMETERS) {
    throw new Refusal('bad_input', 'too_many_parameters', `The request has more than ${MAX_PARAMETERS} parameters.`);
  }
  return singleValued(parsed);
}

/** Checks a parsed name → value(s) map (query string or form body). */
export function singleValued(parsed: Record<string, string | string[] | undefined>): Params {
  const params: Params = {};
  for (const name of Object.keys(parsed)) {
    const value = parsed[name];
    if (typeof value !== 'string') {
      throw new Refusal('bad_input', 'duplicate_parameter', `The parameter "${shown(name)}" was given more than once.`);
    }
    checkValue(name, value);
    params[name] = value;
  }
  return params;
}

/** A parameter name as it may appear in a message (names are user input too). */
const shown = (name: string): string => (name.length > 40 ? `${name.slice(0, 40)}…` : name);

export function checkValue(name: string, value: string): void {
  if (value.length > MAX_VALUE_LENGTH) {
    throw new Refusal('bad_input', 'parameter_too_long', `The parameter "${shown(name)}" is too long.`);
  }
  if (CONTROL.test(value)) {
    throw new Refusal('bad_input', 'control_character', `The parameter "${shown(name)}" contains a control character.`);
  }
}
