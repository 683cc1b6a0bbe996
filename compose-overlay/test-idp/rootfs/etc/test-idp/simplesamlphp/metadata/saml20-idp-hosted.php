<?php
/*
 * saml2jwt test IdP: the hosted SAML 2.0 IdP. Its entityID is its metadata URL:
 * <TEST_IDP_BASE_URL>/simplesaml/saml2/idp/metadata.php
 */
$scope = getenv('TEST_IDP_SCOPE') ?: 'example.test';

$metadata['__DYNAMIC:1__'] = [
    'host' => '__DEFAULT__',
    'privatekey' => 'idp-signing.key',
    'certificate' => 'idp-signing.crt',
    'auth' => 'example-userpass',

    // Listed as shibmd:Scope in the metadata: Shibboleth accepts scoped attributes
    // (eppn, affiliation, pairwise-id) only with this scope.
    'scope' => [$scope],

    // Attribute names as SAML 2.0 URIs, as real federations release them.
    'attributes.NameFormat' => 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
    'NameIDFormat' => 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
    'sign.logout' => true,
    'assertion.encryption' => true,

    'authproc' => [
        // A pairwise id per user and SP, like the SAML subject-id profile's pairwise-id:
        // lower-case hex of sha256(uid|SP entityID|secretsalt), first 32 characters, @scope.
        10 => [
            'class' => 'core:PHP',
            'code' => '
                $sp = $state["Destination"]["entityid"] ?? $state["SPMetadata"]["entityid"];
                $salt = \SimpleSAML\Configuration::getInstance()->getString("secretsalt");
                $uid = $attributes["uid"][0];
                $scope = getenv("TEST_IDP_SCOPE") ?: "example.test";
                $attributes["pairwise-id"] = [substr(hash("sha256", $uid . "|" . $sp . "|" . $salt), 0, 32) . "@" . $scope];
            ',
        ],
        // Friendly names -> SAML 2.0 attribute names.
        20 => [
            'class' => 'core:AttributeMap',
            'uid' => 'urn:oid:0.9.2342.19200300.100.1.1',
            'mail' => 'urn:oid:0.9.2342.19200300.100.1.3',
            'displayName' => 'urn:oid:2.16.840.1.113730.3.1.241',
            'givenName' => 'urn:oid:2.5.4.42',
            'sn' => 'urn:oid:2.5.4.4',
            'eduPersonPrincipalName' => 'urn:oid:1.3.6.1.4.1.5923.1.1.1.6',
            'eduPersonScopedAffiliation' => 'urn:oid:1.3.6.1.4.1.5923.1.1.1.9',
            'eduPersonEntitlement' => 'urn:oid:1.3.6.1.4.1.5923.1.1.1.7',
            'eduPersonAssurance' => 'urn:oid:1.3.6.1.4.1.5923.1.1.1.11',
            'schacHomeOrganization' => 'urn:oid:1.3.6.1.4.1.25178.1.2.9',
            'pairwise-id' => 'urn:oasis:names:tc:SAML:attribute:pairwise-id',
        ],
    ],
];
