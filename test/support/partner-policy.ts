// A policy that refuses one kind of user (a partner's accounts, with the operator's own reason),
// and that user: a refusal page every page test can ask for.
export const PARTNER_REASON = "Partner accounts may not join the university's meetings.";

export const PARTNER_POLICY = `
rules:
  - name: no partner accounts
    match:
      - { idp: "https://idp.partner.example/idp/shibboleth" }
      - { attribute: mail, regex: '.*@partner\\.example' }
    allow: false
    reason: "${PARTNER_REASON}"
`;

export const PARTNER = { mail: 'eve@partner.example', idp: 'https://idp.partner.example/idp/shibboleth' };
