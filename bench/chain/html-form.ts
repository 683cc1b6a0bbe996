// The forms of a SAML login page, read without a browser: the IdP's login form and the
// self-posting form that carries the SAMLResponse to the SP's ACS. Enough HTML for those pages
// (attributes in any quoting, character references), not a general parser.

export interface HtmlForm {
  action: URL;
  method: 'GET' | 'POST';
  /** The successful controls in document order: name → value (submit buttons and unchecked boxes left out). */
  fields: Array<[string, string]>;
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

export function decodeCharacterReferences(text: string): string {
  return text.replace(/&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[ref] ?? whole;
  });
}

/** The attributes of one start tag (its text after the tag name), names lower-cased. */
export function tagAttributes(tag: string): Map<string, string> {
  const attributes = new Map<string, string>();
  const pattern = /([^\s"'<>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  for (const m of tag.matchAll(pattern)) {
    const name = (m[1] as string).toLowerCase();
    if (!attributes.has(name)) attributes.set(name, decodeCharacterReferences(m[2] ?? m[3] ?? m[4] ?? ''));
  }
  return attributes;
}

const SKIPPED_TYPES = new Set(['submit', 'button', 'image', 'reset', 'file']);

/** Every <form> of `html`, its action resolved against the page's URL. */
export function readForms(html: string, pageUrl: URL): HtmlForm[] {
  const forms: HtmlForm[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form\s*>/gi)) {
    const attributes = tagAttributes(m[1] as string);
    const fields: Array<[string, string]> = [];
    for (const control of (m[2] as string).matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea\s*>|<input\b([^>]*)>/gi)) {
      const isTextarea = control[1] !== undefined;
      const a = tagAttributes((isTextarea ? control[1] : control[3]) as string);
      const name = a.get('name');
      if (name === undefined || a.has('disabled')) continue;
      if (isTextarea) {
        fields.push([name, decodeCharacterReferences(control[2] as string)]);
        continue;
      }
      const type = (a.get('type') ?? 'text').toLowerCase();
      if (SKIPPED_TYPES.has(type)) continue;
      if ((type === 'checkbox' || type === 'radio') && !a.has('checked')) continue;
      fields.push([name, a.get('value') ?? (type === 'checkbox' || type === 'radio' ? 'on' : '')]);
    }
    const action = attributes.get('action');
    forms.push({
      action: new URL(action ? action : pageUrl.href, pageUrl),
      method: (attributes.get('method') ?? 'get').toLowerCase() === 'post' ? 'POST' : 'GET',
      fields,
    });
  }
  return forms;
}

/** The form's fields with `values` put in place of (or after) the fields of those names, URL-encoded. */
export function formBody(form: HtmlForm, values: Record<string, string> = {}): string {
  const body = new URLSearchParams();
  const given = new Set<string>();
  for (const [name, value] of form.fields) {
    if (Object.hasOwn(values, name)) {
      if (!given.has(name)) body.append(name, values[name] as string);
      given.add(name);
    } else body.append(name, value);
  }
  for (const [name, value] of Object.entries(values)) if (!given.has(name)) body.append(name, value);
  return body.toString();
}
