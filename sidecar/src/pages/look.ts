// How our pages look: one style sheet for the sidecar's pages and the SP's error pages, made from
// the operator's branding (BRAND_NAME, BRAND_LOGO_URL, BRAND_COLOR, SUPPORT_URL, SUPPORT_EMAIL).
// The default looks at home next to Jitsi Meet: its dark bar, its blue, the system's own fonts.
// Nothing is fetched from elsewhere but the logo the operator named.

/** What the operator set, validated at start (config/branding.ts). */
export interface Branding {
  brandName: string;
  /** An absolute https URL, or one on the PUBLIC_URL origin. */
  logoUrl?: string;
  /** #rrggbb */
  color: string;
  supportUrl?: string;
  supportEmail?: string;
}

export const DEFAULT_BRANDING: Branding = {
  brandName: 'Jitsi Meet',
  // Jitsi Meet's own button blue (jitsi-meet react/features/base/ui/Tokens.ts, primary06).
  color: '#246fe5',
};

/** Everything a page needs besides its words. */
export interface PageLook extends Branding {
  /** Where "Go to the home page" leads: the PUBLIC_URL. */
  homeUrl: string;
  /**
   * The button text colour, when it cannot be worked out from `color` here: the SP's templates
   * carry placeholders that its start script fills (scripts/docs/sp-pages.ts).
   */
  onColor?: string;
}

/** WCAG 2 relative luminance of #rrggbb. */
function luminance(hex: string): number {
  const channel = (i: number): number => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * The text colour for a button in the brand colour: white or black, whichever contrasts
 * more. One of the two always reaches 4.5:1 (WCAG AA), whatever colour the operator chose.
 */
export function textColorOn(color: string): string {
  return contrastRatio(color, '#ffffff') >= contrastRatio(color, '#000000') ? '#ffffff' : '#000000';
}

/** The CSP source that allows exactly the logo (no query: CSP matches paths, not queries). */
export function logoSource(logoUrl: string): string {
  const url = new URL(logoUrl);
  return url.origin + url.pathname;
}

/** The one style sheet (inline: the CSP allows styles, never a style sheet from elsewhere). */
export function pageStyle(look: Branding & { onColor?: string }): string {
  return [
    `:root{--brand:${look.color};--on-brand:${look.onColor ?? textColorOn(look.color)}}`,
    '*{box-sizing:border-box}',
    'html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;font-size:100%;line-height:1.5;color:#1f1f1f;background:#f2f3f5}',
    'body{margin:0}',
    // Jitsi Meet's dark surface (surface02) for the bar.
    '.bar{display:flex;align-items:center;gap:.75rem;min-height:3.5rem;padding:.5rem 1.25rem;background:#141414;color:#fff}',
    '.logo{max-height:2.25rem;max-width:10rem}',
    '.brand{font-size:1.125rem;font-weight:600}',
    'main{max-width:40rem;margin:2rem auto;padding:2rem 1.5rem;background:#fff;border-radius:.75rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}',
    '@media (max-width:40rem){main{margin:0;border-radius:0;box-shadow:none;min-height:calc(100vh - 3.5rem)}}',
    'h1{font-size:1.5rem;line-height:1.25;margin:0 0 1rem}',
    'p{margin:0 0 1rem}',
    '.detail{padding:.75rem 1rem;border-left:4px solid var(--brand);background:#f2f3f5}',
    '.actions{display:flex;flex-wrap:wrap;gap:.75rem;margin:1.5rem 0}',
    '.button{display:inline-block;padding:.7rem 1.2rem;border-radius:.4rem;border:2px solid var(--brand);color:#1f1f1f;background:#fff;text-decoration:none;font-weight:600}',
    '.button.primary{background:var(--brand);color:var(--on-brand)}',
    '.button:hover{text-decoration:underline}',
    'a:focus-visible{outline:3px solid #1f1f1f;outline-offset:2px}',
    '.support{margin:0 0 1rem}',
    '.support a{color:#1f1f1f}',
    '.code{margin:2rem 0 0;padding-top:1rem;border-top:1px solid #dcdfe4;font-size:.8125rem;color:#555}',
    'code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}',
  ].join('');
}
