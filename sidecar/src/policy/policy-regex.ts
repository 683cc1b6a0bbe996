// Operator regexes run on the single event loop against IdP-supplied values. JavaScript's
// backtracking engine can take exponential time on nested quantifiers (`(a+)+`) or
// backreferences, and polynomial time on many unbounded quantifiers in a row (`.*a.*a.*b`).
// So a pattern is refused at load when it has either of the former or more than
// MAX_UNBOUNDED_QUANTIFIERS of the latter, and a value longer than MAX_MATCHED_LENGTH is never
// matched: the request is refused instead (fail closed), with a reason an operator can read.

/** Longer values are not matched; real attribute values (mail, URNs, ids) stay well below it. */
export const MAX_MATCHED_LENGTH = 256;
/** `*`, `+`, `{n,}` and `{n,m}` with m > MAX_BOUNDED_REPEAT: each multiplies the worst case by the value's length. */
export const MAX_UNBOUNDED_QUANTIFIERS = 2;
const MAX_BOUNDED_REPEAT = 16;

interface Group {
  quantified: boolean; // holds a quantifier or an alternation
}

/** Why `source` is refused, or undefined when it is safe to run. Syntax errors are left to RegExp. */
export function unsafeRegexReason(source: string): string | undefined {
  const groups: Group[] = [{ quantified: false }];
  let unbounded = 0;
  let lastWasGroup: Group | undefined;
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string;
    let closed: Group | undefined;
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') return 'backreferences are not allowed';
      i++;
    } else if (c === '[') {
      // A character class is one atom: skip to its end (an escaped ']' does not end it).
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++;
    } else if (c === '(') {
      groups.push({ quantified: false });
      // (?:  (?=  (?!  (?<=  (?<!  (?<name>: the `?` opens the group, it quantifies nothing.
      const modifier = /^\?(?::|=|!|<=|<!|<[A-Za-z_$][\w$]*>)/.exec(source.slice(i + 1));
      if (modifier) i += modifier[0].length;
    } else if (c === ')') {
      closed = groups.pop();
      if (groups.length === 0) return undefined; // unbalanced: RegExp reports it
    } else if (c === '|') {
      (groups.at(-1) as Group).quantified = true;
    } else if (c === '*' || c === '+' || c === '?' || c === '{') {
      let max = c === '?' ? 1 : Infinity;
      if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
        if (!m) continue; // a literal brace
        max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
        i += m[0].length - 1;
      }
      if (source[i + 1] === '?') i++; // lazy: same worst case
      if (lastWasGroup?.quantified && max > 1) return 'a repeated group must not contain a quantifier or `|` (use a character class)';
      if (max > MAX_BOUNDED_REPEAT && ++unbounded > MAX_UNBOUNDED_QUANTIFIERS) {
        return `at most ${MAX_UNBOUNDED_QUANTIFIERS} unbounded quantifiers (*, +, {n,}) per pattern`;
      }
      for (const g of groups) g.quantified = true;
    }
    lastWasGroup = closed;
    if (closed?.quantified) (groups.at(-1) as Group).quantified = true;
  }
  return undefined;
}
