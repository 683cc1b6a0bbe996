// Shibboleth passes a multi-valued attribute as one header: values joined by `;`, and a `;` inside
// a value escaped as `\;`. Only `\;` is an escape; any other backslash is kept as it is.

export function parseMultiValued(raw: string): string[] {
  // Most attributes have one value: without a `;` there is nothing to split or unescape.
  if (!raw.includes(';')) {
    const value = raw.trim();
    return value === '' ? [] : [value];
  }
  const values: string[] = [];
  let current = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (ch === '\\' && raw[i + 1] === ';') {
      current += ';';
      i++;
    } else if (ch === ';') {
      values.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  values.push(current);
  return values.map((v) => v.trim()).filter((v) => v !== '');
}
