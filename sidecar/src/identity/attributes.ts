// The SAML attributes the sidecar knows, in one list: each one's logical name (the Shibboleth
// attribute id of the reference's attribute-map.xml), the ATTR_HEADER_* variable that renames its
// request header, and the header our SP sets by default. Types, config and policy derive from it.
export const SAML_ATTRIBUTES = {
  mail: { variable: 'ATTR_HEADER_MAIL', header: 'mail' },
  displayName: { variable: 'ATTR_HEADER_DISPLAY_NAME', header: 'displayname' },
  eppn: { variable: 'ATTR_HEADER_EPPN', header: 'eppn' },
  affiliation: { variable: 'ATTR_HEADER_AFFILIATION', header: 'affiliation' },
  entitlement: { variable: 'ATTR_HEADER_ENTITLEMENT', header: 'entitlement' },
  'persistent-id': { variable: 'ATTR_HEADER_PERSISTENT_ID', header: 'persistent-id' },
  'pairwise-id': { variable: 'ATTR_HEADER_PAIRWISE_ID', header: 'pairwise-id' },
  'subject-id': { variable: 'ATTR_HEADER_SUBJECT_ID', header: 'subject-id' },
  givenName: { variable: 'ATTR_HEADER_GIVEN_NAME', header: 'givenname' },
  sn: { variable: 'ATTR_HEADER_SN', header: 'sn' },
  schacHomeOrganization: { variable: 'ATTR_HEADER_SCHAC_HOME_ORGANIZATION', header: 'schachomeorganization' },
  idp: { variable: 'ATTR_HEADER_IDP', header: 'shib-identity-provider' }, // Shib-Identity-Provider
} as const satisfies Record<string, { variable: string; header: string }>;

export type AttributeName = keyof typeof SAML_ATTRIBUTES;

export const ATTRIBUTE_NAMES = Object.keys(SAML_ATTRIBUTES) as readonly AttributeName[];
