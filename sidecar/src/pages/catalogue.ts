// The words of every page we show a person, one catalogue per language (messages/*.json). Pages
// never write text of their own: they name a message, and fill its {placeholders} with values.
// English is the fallback; the others are the languages of the largest federations using Jitsi.
import en from './messages/en.json';
import de from './messages/de.json';
import es from './messages/es.json';
import fr from './messages/fr.json';
import it from './messages/it.json';
import nl from './messages/nl.json';

/** In order of preference when a browser accepts several equally: English first (the fallback). */
export const LANGUAGES = ['en', 'fr', 'de', 'es', 'it', 'nl'] as const;
export type Language = (typeof LANGUAGES)[number];
export const FALLBACK_LANGUAGE: Language = 'en';

/** The shape every catalogue has: English's (a test checks every language has every key). */
export type Messages = typeof en;

export const CATALOGUES: Readonly<Record<Language, Messages>> = { en, fr, de, es, it, nl };

export function isLanguage(value: string): value is Language {
  return (LANGUAGES as readonly string[]).includes(value);
}

const PLACEHOLDER = /\{([a-z]+)\}/g;

/** The {names} a message uses. */
export function placeholdersOf(message: string): string[] {
  return [...message.matchAll(PLACEHOLDER)].map((m) => m[1] as string);
}

/**
 * A message with its {placeholders} replaced. `encode` turns the message's own text into the
 * output's form (escapeHtml for a page); `values` are already in that form, so a value may be
 * markup the caller built (a <code> element). A placeholder without a value stays visible, so a
 * forgotten value shows in a test instead of vanishing.
 */
export function fill(message: string, values: Readonly<Record<string, string>>, encode: (text: string) => string = (t) => t): string {
  let out = '';
  let last = 0;
  for (const m of message.matchAll(PLACEHOLDER)) {
    const name = m[1] as string;
    out += encode(message.slice(last, m.index));
    out += values[name] ?? encode(m[0]);
    last = (m.index as number) + m[0].length;
  }
  return out + encode(message.slice(last));
}
