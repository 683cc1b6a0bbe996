// Reading our script-carrying pages the way a browser enforces them: the inline scripts, the
// CSP hash each needs, and the JSON data blocks they read.
import { createHash } from 'node:crypto';

/** The executable inline scripts (no type attribute) of a page. */
export function inlineScripts(html: string): string[] {
  return [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] as string);
}

/** Every <script ...> opening tag, executable or not. */
export function scriptTagCount(html: string): number {
  return html.match(/<script/gi)?.length ?? 0;
}

export function cspHashOf(script: string): string {
  return `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;
}

/** The directives of a Content-Security-Policy header. */
export function cspDirectives(csp: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of csp.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) map.set(name, values);
  }
  return map;
}

/** The parsed content of <script type="application/json" id="…">. */
export function jsonBlock(html: string, id: string): unknown {
  const match = new RegExp(`<script type="application/json" id="${id}">([\\s\\S]*?)</script>`).exec(html);
  if (!match) throw new Error(`no JSON block #${id}`);
  return JSON.parse(match[1] as string);
}

/**
 * Problems with a page's script policy: every executable script must be allowed by a hash in
 * script-src, nothing may be allowed wholesale ('unsafe-inline', a host, '*'), and nothing loads.
 */
export function cspProblems(html: string, csp: string): string[] {
  const problems: string[] = [];
  const d = cspDirectives(csp);
  if (JSON.stringify(d.get('default-src')) !== `["'none'"]`) problems.push(`default-src is ${d.get('default-src')}`);
  const scriptSrc = d.get('script-src') ?? [];
  const scripts = inlineScripts(html);
  for (const s of scripts) if (!scriptSrc.includes(cspHashOf(s))) problems.push(`script not allowed by a hash: ${s.slice(0, 40)}`);
  if (scriptSrc.some((v) => !v.startsWith("'sha256-"))) problems.push(`script-src allows more than hashes: ${scriptSrc.join(' ')}`);
  if (scriptSrc.length !== new Set(scripts.map(cspHashOf)).size) problems.push('script-src allows a script the page does not have');
  if (/\son[a-z]+=/i.test(html)) problems.push('an inline event handler attribute');
  return problems;
}
