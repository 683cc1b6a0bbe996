// What a federation registrar wants to know about the SP beyond what Shibboleth knows: names,
// URLs, the organisation and contacts (shared/FEDERATION.md "What SP metadata must carry": REFEDS
// R&S, the GÉANT Code of Conduct v2, Personalized Access, Sirtfi). Read from a small YAML file
// (compose-overlay/sp-info.example.yml); every problem is reported at once, with its field.
import { parse } from 'yaml';

/** A text per language (`en`, `fr`, …); `en` is always there. */
export type Localized = Readonly<Record<string, string>>;

export interface Contact {
  givenName?: string;
  surName?: string;
  /** A plain address; the metadata writes it as a mailto: URI. */
  email: string;
}

export type ContactRole = 'technical' | 'support' | 'security' | 'administrative';

export interface SpInfo {
  displayName: Localized;
  description: Localized;
  informationURL: Localized;
  privacyStatementURL: Localized;
  logo?: { url: string; width: number; height: number };
  organization: { name: Localized; displayName: Localized; url: Localized };
  contacts: Partial<Record<ContactRole, Contact>> & { technical: Contact; support: Contact };
  /** Entity categories the SP asks the registrar for (http://macedir.org/entity-category values). */
  entityCategories: string[];
  /** subject-id:req: which subject identifier the SP needs, if any. */
  subjectIdReq?: 'any' | 'subject-id' | 'pairwise-id';
  /** Sirtfi: asserts the REFEDS Sirtfi assurance-certification (needs a security contact). */
  sirtfi: boolean;
}

export class SpInfoError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'SpInfoError';
  }
}

const TOP_KEYS = ['displayName', 'description', 'informationURL', 'privacyStatementURL', 'logo', 'organization', 'contacts', 'entityCategories', 'subjectIdReq', 'sirtfi'];
const LOCALIZED_FIELDS = ['displayName', 'description', 'informationURL', 'privacyStatementURL'] as const;
const URL_FIELDS = new Set(['informationURL', 'privacyStatementURL', 'organization.url']);
const ROLES: readonly ContactRole[] = ['technical', 'support', 'security', 'administrative'];
const REQUIRED_ROLES: readonly ContactRole[] = ['technical', 'support'];
const LANGUAGE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:.]+$/;

/** The required text fields, as `setup` asks for them on a terminal when the file lacks them. */
export const REQUIRED_TEXT_FIELDS = [
  'displayName.en',
  'description.en',
  'informationURL.en',
  'privacyStatementURL.en',
  'organization.name.en',
  'organization.displayName.en',
  'organization.url.en',
  'contacts.technical.email',
  'contacts.support.email',
] as const;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses the YAML text; throws SpInfoError naming the file on a syntax error. */
export function parseSpInfoYaml(text: string, source: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parse(text, { uniqueKeys: true });
  } catch (err) {
    throw new SpInfoError([`${source}: invalid YAML: ${(err as Error).message.split('\n')[0]}`]);
  }
  if (doc === null || doc === undefined) return {};
  if (!isRecord(doc)) throw new SpInfoError([`${source}: must be a mapping of fields (see compose-overlay/sp-info.example.yml)`]);
  return doc;
}

/** The value at a dotted path, or undefined. */
export function fieldAt(raw: Record<string, unknown>, path: string): unknown {
  let node: unknown = raw;
  for (const key of path.split('.')) node = isRecord(node) ? node[key] : undefined;
  return node;
}

// A plain string stands for one field of its mapping: a text is the English one (`displayName:
// "Video"`), a contact is its address (`support: help@uni.example`).
const plainKeyOf = (path: string): string => (path.startsWith('contacts.') ? 'email' : 'en');

/** A copy of `raw` with `value` set at the dotted path; a plain string on the way becomes its mapping. */
export function withField(raw: Record<string, unknown>, path: string, value: string): Record<string, unknown> {
  const keys = path.split('.');
  const copy: Record<string, unknown> = structuredClone(raw);
  let node = copy;
  keys.slice(0, -1).forEach((key, i) => {
    const next = node[key];
    node[key] = typeof next === 'string' ? { [plainKeyOf(keys.slice(0, i + 1).join('.'))]: next } : isRecord(next) ? next : {};
    node = node[key] as Record<string, unknown>;
  });
  node[keys[keys.length - 1] as string] = value;
  return copy;
}

/** The required text fields the file leaves empty. */
export function missingSpInfoFields(raw: Record<string, unknown>): string[] {
  const given = (value: unknown): boolean => typeof value === 'string' && value.trim() !== '';
  return REQUIRED_TEXT_FIELDS.filter((path) => !given(fieldAt(raw, path)) && !given(fieldAt(raw, path.slice(0, path.lastIndexOf('.')))));
}

/** Validates the whole document; every problem at once. */
export function readSpInfo(raw: Record<string, unknown>, source: string): SpInfo {
  const problems: string[] = [];
  const problem = (field: string, message: string): void => void problems.push(`${source}: ${field}: ${message}`);
  for (const key of Object.keys(raw)) if (!TOP_KEYS.includes(key)) problem(key, `unknown field (known: ${TOP_KEYS.join(', ')})`);

  const localized = (field: string, value: unknown): Localized => {
    const texts: Record<string, string> = {};
    if (typeof value === 'string') texts.en = value;
    else if (isRecord(value)) for (const [lang, text] of Object.entries(value)) texts[lang] = typeof text === 'string' ? text : '';
    else if (value !== undefined) problem(field, 'must be a text or a map of languages to texts');
    for (const [lang, text] of Object.entries(texts)) {
      if (!LANGUAGE.test(lang)) problem(`${field}.${lang}`, 'is not a language tag (en, fr, de-CH, …)');
      else if (text.trim() === '') problem(`${field}.${lang}`, 'must be a non-empty text');
      else if (URL_FIELDS.has(field) && !isHttpsUrl(text)) problem(`${field}.${lang}`, 'must be an https:// URL');
    }
    if (texts.en === undefined) problem(field, 'needs an English text (en): federations require one');
    return texts;
  };

  const info = {} as SpInfo;
  for (const field of LOCALIZED_FIELDS) info[field] = localized(field, raw[field]);

  if (raw.logo !== undefined) {
    const logo = isRecord(raw.logo) ? raw.logo : {};
    const url = typeof logo.url === 'string' ? logo.url : '';
    if (!isHttpsUrl(url)) problem('logo.url', 'must be an https:// URL');
    const size = (key: 'width' | 'height'): number => {
      const n = logo[key];
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 4096) problem(`logo.${key}`, 'must be a whole number of pixels (1 to 4096)');
      return Number(n);
    };
    info.logo = { url, width: size('width'), height: size('height') };
  }

  const org = isRecord(raw.organization) ? raw.organization : {};
  if (raw.organization !== undefined && !isRecord(raw.organization)) problem('organization', 'must have name, displayName and url');
  info.organization = {
    name: localized('organization.name', org.name),
    displayName: localized('organization.displayName', org.displayName),
    url: localized('organization.url', org.url),
  };

  const contacts = isRecord(raw.contacts) ? raw.contacts : {};
  info.contacts = {} as SpInfo['contacts'];
  for (const key of Object.keys(contacts)) if (!ROLES.includes(key as ContactRole)) problem(`contacts.${key}`, `unknown contact type (known: ${ROLES.join(', ')})`);
  for (const role of ROLES) {
    const value = contacts[role];
    if (value === undefined) {
      if (REQUIRED_ROLES.includes(role)) problem(`contacts.${role}`, 'is required (an e-mail address)');
      continue;
    }
    const contact = readContact(`contacts.${role}`, value, problem);
    if (contact) info.contacts[role] = contact;
  }

  info.entityCategories = [];
  if (raw.entityCategories !== undefined) {
    const list = Array.isArray(raw.entityCategories) ? raw.entityCategories : [raw.entityCategories];
    for (const [i, value] of list.entries()) {
      if (typeof value !== 'string' || !/^(https?:\/\/|urn:)\S+$/.test(value)) problem(`entityCategories[${i}]`, 'must be an entity category URI');
      else info.entityCategories.push(value);
    }
  }
  if (raw.subjectIdReq !== undefined) {
    if (raw.subjectIdReq !== 'any' && raw.subjectIdReq !== 'subject-id' && raw.subjectIdReq !== 'pairwise-id') problem('subjectIdReq', 'must be any, subject-id or pairwise-id');
    else info.subjectIdReq = raw.subjectIdReq;
  }
  info.sirtfi = false;
  if (raw.sirtfi !== undefined) {
    if (typeof raw.sirtfi !== 'boolean') problem('sirtfi', 'must be true or false');
    else info.sirtfi = raw.sirtfi;
    if (raw.sirtfi === true && contacts.security === undefined) problem('sirtfi', 'needs a security contact (contacts.security): Sirtfi requires one');
  }
  if (problems.length > 0) throw new SpInfoError(problems);
  return info;
}

function readContact(field: string, value: unknown, problem: (field: string, message: string) => void): Contact | undefined {
  const fields = typeof value === 'string' ? { email: value } : isRecord(value) ? value : undefined;
  if (!fields) {
    problem(field, 'must be an e-mail address or {givenName, surName, email}');
    return undefined;
  }
  for (const key of Object.keys(fields)) if (!['givenName', 'surName', 'email'].includes(key)) problem(`${field}.${key}`, 'unknown field (known: givenName, surName, email)');
  const email = typeof fields.email === 'string' ? fields.email.replace(/^mailto:/i, '') : '';
  if (!EMAIL.test(email)) problem(`${field}.email`, 'must be an e-mail address');
  const contact: Contact = { email };
  for (const key of ['givenName', 'surName'] as const) {
    const text = fields[key];
    if (text === undefined) continue;
    if (typeof text !== 'string' || text.trim() === '') problem(`${field}.${key}`, 'must be a non-empty text');
    else contact[key] = text;
  }
  return contact;
}

function isHttpsUrl(text: string): boolean {
  try {
    return new URL(text).protocol === 'https:';
  } catch {
    return false;
  }
}
