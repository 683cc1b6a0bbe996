// Views of our pages for tests that render them directly: each language, the default look, and a
// pseudo-language whose every message is its own key (to find text a page wrote itself).
import { CATALOGUES, LANGUAGES, type Messages } from '../../sidecar/src/pages/catalogue';
import type { PageView } from '../../sidecar/src/pages/layout';
import { DEFAULT_BRANDING, type PageLook } from '../../sidecar/src/pages/look';

export const TEST_LOOK: PageLook = { ...DEFAULT_BRANDING, homeUrl: 'https://meet.example.org/' };

export function everyLanguageView(look: PageLook = TEST_LOOK): PageView[] {
  return LANGUAGES.map((lang) => ({ lang, t: CATALOGUES[lang], look }));
}

/** Every leaf string of a catalogue, by its dotted key. */
export function leaves(value: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof value === 'string') out.set(prefix, value);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) for (const [key, s] of leaves(v, prefix ? `${prefix}.${k}` : k)) out.set(key, s);
  }
  return out;
}

export const MARK_OPEN = '⟦';
export const MARK_CLOSE = '⟧';

/**
 * English's shape with every message replaced by ⟦its key⟧, keeping its {placeholders}: a page
 * rendered with it shows, besides values, only text that came from the catalogue.
 */
export function keyCatalogue(): Messages {
  const map = (value: unknown, prefix: string): unknown => {
    if (typeof value === 'string') {
      const placeholders = [...value.matchAll(/\{[a-z]+\}/g)].map((m) => m[0]).join(' ');
      return `${MARK_OPEN}${prefix}${placeholders ? ` ${placeholders}` : ''}${MARK_CLOSE}`;
    }
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, map(v, prefix ? `${prefix}.${k}` : k)]));
  };
  return map(CATALOGUES.en, '') as Messages;
}
