// The SAML attributes the sidecar knows, in one list: each one's logical name (the Shibboleth
// attribute id of the reference's attribute-map.xml), the ATTR_HEADER_* variable that renames its
// request header, the header our SP sets by default, whether the SP checks that the IdP may
// assert the value, and its SAML 2.0 name (what attribute-map.xml maps to the id, and what the
// SP's metadata requests). Types, config, policy and the SP's Apache header block derive from it
// (shib-image/rootfs/defaults/locations.conf, rewritten by `npm run docs`).
//
// scoped: the SP's attribute-policy.xml accepts the value only with a scope the IdP's metadata
// lists (eppn, affiliation, subject-id, pairwise-id, schacHomeOrganization), only qualified by the
// IdP (persistent-id), or it is the IdP itself. Any IdP of a federation can assert any value of
// an unscoped attribute: `mail=someone@other-university`.
export const SAML_ATTRIBUTES = {
  mail: { variable: 'ATTR_HEADER_MAIL', header: 'mail', scoped: false, samlName: 'urn:oid:0.9.2342.19200300.100.1.3' },
  displayName: { variable: 'ATTR_HEADER_DISPLAY_NAME', header: 'displayname', scoped: false, samlName: 'urn:oid:2.16.840.1.113730.3.1.241' },
  eppn: { variable: 'ATTR_HEADER_EPPN', header: 'eppn', scoped: true, samlName: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.6' },
  affiliation: { variable: 'ATTR_HEADER_AFFILIATION', header: 'affiliation', scoped: true, samlName: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.9' },
  entitlement: { variable: 'ATTR_HEADER_ENTITLEMENT', header: 'entitlement', scoped: false, samlName: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.7' },
  'persistent-id': { variable: 'ATTR_HEADER_PERSISTENT_ID', header: 'persistent-id', scoped: true, samlName: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.10' },
  'pairwise-id': { variable: 'ATTR_HEADER_PAIRWISE_ID', header: 'pairwise-id', scoped: true, samlName: 'urn:oasis:names:tc:SAML:attribute:pairwise-id' },
  'subject-id': { variable: 'ATTR_HEADER_SUBJECT_ID', header: 'subject-id', scoped: true, samlName: 'urn:oasis:names:tc:SAML:attribute:subject-id' },
  givenName: { variable: 'ATTR_HEADER_GIVEN_NAME', header: 'givenname', scoped: false, samlName: 'urn:oid:2.5.4.42' },
  sn: { variable: 'ATTR_HEADER_SN', header: 'sn', scoped: false, samlName: 'urn:oid:2.5.4.4' },
  schacHomeOrganization: { variable: 'ATTR_HEADER_SCHAC_HOME_ORGANIZATION', header: 'schachomeorganization', scoped: true, samlName: 'urn:oid:1.3.6.1.4.1.25178.1.2.9' },
  // Shib-Identity-Provider: the IdP itself, not an attribute an IdP releases.
  idp: { variable: 'ATTR_HEADER_IDP', header: 'shib-identity-provider', scoped: true, samlName: undefined },
  assurance: { variable: 'ATTR_HEADER_ASSURANCE', header: 'assurance', scoped: false, samlName: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.11' }, // eduPersonAssurance
} as const satisfies Record<string, { variable: string; header: string; scoped: boolean; samlName: string | undefined }>;

export type AttributeName = keyof typeof SAML_ATTRIBUTES;

export const ATTRIBUTE_NAMES = Object.keys(SAML_ATTRIBUTES) as readonly AttributeName[];

/** The headers our SP's Apache strips from every client request and sets itself: the only ones the sidecar believes. */
export const SP_IDENTITY_HEADERS: readonly string[] = ATTRIBUTE_NAMES.map((name) => SAML_ATTRIBUTES[name].header);

/**
 * What an IdP asserts about how it vetted its own user (eduPersonAssurance: the REFEDS Assurance
 * Framework's values, e.g. https://refeds.org/assurance/IAP/medium). Federations define it to be
 * relied on from any of their IdPs, and a value says nothing about another organisation's users,
 * so a policy may test it without naming IdPs (unlike mail or entitlement).
 */
export const IDP_VETTING_ATTRIBUTES: readonly AttributeName[] = ['assurance'];

/** Attributes any IdP of a federation may assert with any value, about anyone. */
export const UNSCOPED_ATTRIBUTES = ATTRIBUTE_NAMES.filter((name) => !SAML_ATTRIBUTES[name].scoped && !IDP_VETTING_ATTRIBUTES.includes(name));

/** Attributes that may key private-room ownership: unique per user, bound to the IdP's scope. */
export const OWNER_ID_ATTRIBUTES: readonly AttributeName[] = ['subject-id', 'pairwise-id', 'eppn', 'persistent-id'];
