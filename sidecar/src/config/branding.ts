// The operator's look for the pages a person sees (BRAND_NAME, BRAND_LOGO_URL, BRAND_COLOR) and
// where a stuck user finds help (SUPPORT_URL, SUPPORT_EMAIL). The rules are shared with the SP
// image's page renderer (shib-image/rootfs/usr/local/bin/saml2jwt-render-pages repeats them in
// bash, with the same messages). Each problem is one sentence naming its variable.
import { DEFAULT_BRANDING, type Branding } from '../pages/look';

const MAX_NAME = 60;
const COLOR = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;
// A plain address: it lands in a mailto: link and on the page.
const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;
// Host names only (no "*", which a CSP source would read as a wildcard), with an optional port.
const HOST = /^([a-z0-9-]+\.)*[a-z0-9-]+(:[0-9]{1,5})?$/;

export function brandNameProblem(value: string): string | undefined {
  if (value.length > MAX_NAME || /[\p{Cc}]/u.test(value)) return `BRAND_NAME must be at most ${MAX_NAME} characters, without control characters`;
  return undefined;
}

export function brandColorProblem(value: string): string | undefined {
  return COLOR.test(value) ? undefined : `BRAND_COLOR must be a colour as #rrggbb or #rgb, not "${value}"`;
}

/** #rgb and #RRGGBB as #rrggbb. */
export function normalColor(value: string): string {
  const hex = value.slice(1).toLowerCase();
  return `#${hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex}`;
}

/**
 * A URL a page links to or loads: https, or on the PUBLIC_URL origin (which may be plain http on
 * a developer machine); a path starting with "/" is taken on the PUBLIC_URL. No credentials, and
 * nothing that could end a CSP source or an attribute (quotes, ";", ",", spaces).
 */
function siteUrl(name: string, value: string, publicUrl: URL | undefined): { url: string } | { problem: string } {
  const problem = { problem: `${name} must be an https:// URL or a path on PUBLIC_URL (e.g. /images/logo.svg), not "${value}"` };
  if (/[\s"'<>;,\\]/.test(value)) return problem;
  let url: URL;
  try {
    url = value.startsWith('/') && !value.startsWith('//') && publicUrl ? new URL(value, publicUrl) : new URL(value);
  } catch {
    return problem;
  }
  const onSite = publicUrl !== undefined && url.origin === publicUrl.origin;
  if ((url.protocol !== 'https:' && !onSite) || url.username !== '' || url.password !== '' || !HOST.test(url.host)) return problem;
  return { url: url.href };
}

export interface BrandingInput {
  BRAND_NAME?: string;
  BRAND_LOGO_URL?: string;
  BRAND_COLOR?: string;
  SUPPORT_URL?: string;
  SUPPORT_EMAIL?: string;
}

/** The branding from its variables (unset: the defaults), or the problems found. */
export function readBranding(input: BrandingInput, publicUrl: URL | undefined): { branding: Branding; problems: string[] } {
  const problems: string[] = [];
  const branding: Branding = { ...DEFAULT_BRANDING };
  const note = (problem: string | undefined): boolean => {
    if (problem !== undefined) problems.push(problem);
    return problem === undefined;
  };
  if (input.BRAND_NAME !== undefined && note(brandNameProblem(input.BRAND_NAME))) branding.brandName = input.BRAND_NAME;
  if (input.BRAND_COLOR !== undefined && note(brandColorProblem(input.BRAND_COLOR))) branding.color = normalColor(input.BRAND_COLOR);
  for (const [name, key] of [
    ['BRAND_LOGO_URL', 'logoUrl'],
    ['SUPPORT_URL', 'supportUrl'],
  ] as const) {
    const value = input[name];
    if (value === undefined) continue;
    const url = siteUrl(name, value, publicUrl);
    if ('problem' in url) problems.push(url.problem);
    else branding[key] = url.url;
  }
  if (input.SUPPORT_EMAIL !== undefined) {
    if (EMAIL.test(input.SUPPORT_EMAIL)) branding.supportEmail = input.SUPPORT_EMAIL;
    else problems.push(`SUPPORT_EMAIL must be an e-mail address such as help@example.org, not "${input.SUPPORT_EMAIL}"`);
  }
  return { branding, problems };
}
