<?php
/*
 * saml2jwt test IdP: the demo users (user name => password and attributes).
 * Attributes carry their SAML 2.0 names (urn:oid), so Shibboleth's standard attribute-map
 * applies; the pairwise id (urn:oasis:names:tc:SAML:attribute:pairwise-id) is added per SP
 * by saml20-idp-hosted.php. "@example.test" is replaced by the IdP's scope (TEST_IDP_SCOPE).
 *
 * alice: staff member, moderator entitlement
 * bob:   student, a display name with ";" in it (tests Shibboleth's "\;" escaping)
 * eve:   affiliate, the user the end-to-end test policy refuses
 * pat:   pseudonymous (REFEDS Pseudonymous Access): only the pairwise id, an affiliation and
 *        eduPersonAssurance; no mail and no name
 */
return [
    'alice' => [
        'password' => 'alice-pass',
        'attributes' => [
            'uid' => ['alice'],
            'mail' => ['alice@example.test'],
            'displayName' => ['Alice Example'],
            'givenName' => ['Alice'],
            'sn' => ['Example'],
            'eduPersonPrincipalName' => ['alice@example.test'],
            'eduPersonScopedAffiliation' => ['staff@example.test', 'member@example.test'],
            'eduPersonEntitlement' => ['urn:mace:example.test:jitsi:moderator'],
            'schacHomeOrganization' => ['example.test'],
        ],
    ],
    'bob' => [
        'password' => 'bob-pass',
        'attributes' => [
            'uid' => ['bob'],
            'mail' => ['bob@example.test'],
            'displayName' => ['Bob; the Builder'],
            'givenName' => ['Bob'],
            'sn' => ['Builder'],
            'eduPersonPrincipalName' => ['bob@example.test'],
            'eduPersonScopedAffiliation' => ['student@example.test'],
            'schacHomeOrganization' => ['example.test'],
        ],
    ],
    'eve' => [
        'password' => 'eve-pass',
        'attributes' => [
            'uid' => ['eve'],
            'mail' => ['eve@example.test'],
            'displayName' => ['Eve Outsider'],
            'eduPersonPrincipalName' => ['eve@example.test'],
            'eduPersonScopedAffiliation' => ['affiliate@example.test'],
            'schacHomeOrganization' => ['example.test'],
        ],
    ],
    'pat' => [
        'password' => 'pat-pass',
        'attributes' => [
            'uid' => ['pat'],
            'eduPersonScopedAffiliation' => ['member@example.test'],
            'eduPersonAssurance' => ['https://refeds.org/assurance', 'https://refeds.org/assurance/IAP/medium'],
        ],
    ],
];
