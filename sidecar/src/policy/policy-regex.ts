// Operator regexes run on the single event loop against IdP-supplied values. JavaScript's
// backtracking engine can take exponential time on nested quantifiers (`(a+)+`) or
// backreferences, and on any long run of choices in a row: `(?:a|a)?` 24 times, `a?` 30 times
// or `a{0,16}` 8 times, then `b`, fail on a run of `a`s only after trying every way to split it,
// about 3^24, 2^30 or 17^8 of them (hours). Unbounded quantifiers add polynomial time
// (`.*a.*a.*b`). So a pattern is refused at load when it has nested quantifiers, a backreference,
// more than MAX_UNBOUNDED_QUANTIFIERS unbounded quantifiers, or more than MAX_MATCH_PATHS ways
// to walk it; and a value longer than MAX_MATCHED_LENGTH is never matched: the request is
// refused instead (fail closed), with a reason an operator can read.

/** Longer values are not matched; real attribute values (mail, URNs, ids) stay well below it. */
export const MAX_MATCHED_LENGTH = 256;
/** `*`, `+`, `{n,}` and `{n,m}` with m > MAX_BOUNDED_REPEAT: each multiplies the worst case by the value's length. */
export const MAX_UNBOUNDED_QUANTIFIERS = 2;
const MAX_BOUNDED_REPEAT = 16;
/**
 * Ways to walk a pattern: alternatives add, and a sequence multiplies the choices of its parts
 * (`?` gives 2, `{n,m}` gives m-n+1, an unbounded quantifier the value's length). The engine
 * tries at most this many per value, since policy regexes are anchored at the start. About four
 * times what `.*@.*` needs. The worst patterns within it (`a?` 18 times, `(?:a|a)?` 11 times)
 * take 1-4 ms on a 256-character value (Node 24, 2 busy cores).
 */
export const MAX_MATCH_PATHS = 4 * MAX_MATCHED_LENGTH ** 2;

/** A parsed atom or group, before a quantifier that may follow it. */
interface Term {
  paths: number;
  quantified: boolean; // holds a quantifier or an alternation
  first?: string; // the character every match starts with, when known
}

/** An open group: its finished alternatives, and the one being read. */
interface Group {
  quantified: boolean;
  caseless: boolean; // inside (?i:…): a literal's first character is not known exactly
  alternatives: { paths: number; first?: string }[];
  branch: Term[]; // the current alternative; a quantifier replaces its last term
}

const openGroup = (caseless: boolean): Group => ({ quantified: false, caseless, alternatives: [], branch: [] });

const anyCharacter: Term = { paths: 1, quantified: false };
const literal = (char: string, group: Group): Term => (group.caseless ? anyCharacter : { paths: 1, quantified: false, first: char });

function finishAlternative(group: Group): void {
  group.alternatives.push({ paths: group.branch.reduce((product, term) => product * term.paths, 1), first: group.branch[0]?.first });
  group.branch = [];
}

/**
 * Alternatives add their ways, unless each starts with its own literal character: then at most
 * one of them gets past its first character (`(staff|faculty)`, `\.(de|at|ch)`).
 */
function groupTerm(group: Group): Term {
  finishAlternative(group);
  const firsts = group.alternatives.map((a) => a.first);
  const exclusive = firsts.every((f) => f !== undefined) && new Set(firsts).size === firsts.length;
  const paths = group.alternatives.map((a) => a.paths);
  return { paths: exclusive ? Math.max(...paths) : paths.reduce((sum, p) => sum + p, 0), quantified: group.quantified };
}

/** Ways to walk `term` repeated between `min` and `max` times (a value can repeat it at most its length). */
function repeatedPaths(term: Term, min: number, max: number): number {
  let total = 0;
  for (let k = min; k <= Math.min(max, MAX_MATCHED_LENGTH); k++) total += term.paths ** k;
  return Math.max(total, 1);
}

/** Why `source` is refused, or undefined when it is safe to run. Syntax errors are left to RegExp. */
export function unsafeRegexReason(source: string): string | undefined {
  const groups: Group[] = [openGroup(false)];
  const current = (): Group => groups.at(-1) as Group;
  let unbounded = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string;
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') return 'backreferences are not allowed';
      i++;
      // \p{…}, \P{…}, \u{…}: the braces belong to the escape, they are not a quantifier.
      if (/[pPu]/.test(next) && source[i + 1] === '{') {
        const end = source.indexOf('}', i);
        i = end === -1 ? source.length : end;
      }
      // `\.` stands for the character itself; `\d`, `\b`, `\p{…}` for a set or a position.
      current().branch.push(/[\p{L}\p{N}]/u.test(next) ? anyCharacter : literal(next, current()));
    } else if (c === '[') {
      // A character class is one atom: skip to its end (an escaped ']' does not end it).
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++;
      current().branch.push(anyCharacter);
    } else if (c === '(') {
      // (?:  (?=  (?!  (?<=  (?<!  (?<name>  (?i:  (?-i:  the `?` opens the group, it quantifies nothing.
      const modifier = /^\?(?::|=|!|<=|<!|<[A-Za-z_$][\w$]*>|([a-z]*)(?:-([a-z]*))?:)/.exec(source.slice(i + 1));
      const [, added = '', removed = ''] = modifier ?? [];
      groups.push(openGroup((current().caseless || added.includes('i')) && !removed.includes('i')));
      if (modifier) i += modifier[0].length;
    } else if (c === ')') {
      const closed = groups.pop() as Group;
      if (groups.length === 0) return undefined; // unbalanced: RegExp reports it
      if (closed.quantified) current().quantified = true;
      current().branch.push(groupTerm(closed));
    } else if (c === '|') {
      finishAlternative(current());
      current().quantified = true;
    } else if (c === '*' || c === '+' || c === '?' || c === '{') {
      let [min, max] = c === '*' ? [0, Infinity] : c === '+' ? [1, Infinity] : c === '?' ? [0, 1] : [1, 1];
      if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
        if (!m) {
          current().branch.push(literal(c, current())); // a literal brace
          continue;
        }
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
        i += m[0].length - 1;
      }
      if (source[i + 1] === '?') i++; // lazy: same worst case
      const { branch } = current();
      const term = branch.at(-1);
      if (!term) continue; // nothing to repeat: RegExp reports it
      if (term.quantified && max > 1) return 'a repeated group must not contain a quantifier or `|` (use a character class)';
      if (max > MAX_BOUNDED_REPEAT && ++unbounded > MAX_UNBOUNDED_QUANTIFIERS) {
        return `at most ${MAX_UNBOUNDED_QUANTIFIERS} unbounded quantifiers (*, +, {n,}) per pattern`;
      }
      const repeated: Term = { paths: repeatedPaths(term, min, max), quantified: true };
      if (min > 0 && term.first !== undefined) repeated.first = term.first;
      branch[branch.length - 1] = repeated;
      for (const g of groups) g.quantified = true;
    } else {
      current().branch.push(c === '.' || c === '^' || c === '$' ? anyCharacter : literal(c, current()));
    }
  }
  if (groups.length !== 1) return undefined; // unbalanced: RegExp reports it
  const { paths } = groupTerm(current());
  if (paths > MAX_MATCH_PATHS) {
    const shown = paths < 1e9 ? String(Math.round(paths)) : paths.toExponential(1);
    return `optional parts (?), alternatives (|) and repeats multiply the ways a value can be tried: ${shown} here, at most ${MAX_MATCH_PATHS} (merge alternatives into a character class, drop optional parts)`;
  }
  return undefined;
}
