<?php
/*
 * saml2jwt test IdP: the SP it serves, read from the SP's own metadata so nothing is copied
 * by hand. TEST_IDP_SP_METADATA_URL (e.g. the SP's /saml2jwt/Shibboleth.sso/Metadata) is
 * fetched and kept for 60 seconds; TEST_IDP_SP_METADATA_FILE names a saved copy instead.
 */
$file = getenv('TEST_IDP_SP_METADATA_FILE') ?: '';
$url = getenv('TEST_IDP_SP_METADATA_URL') ?: '';

$xml = '';
if ($file !== '' && is_readable($file)) {
    $xml = (string) file_get_contents($file);
} elseif ($url !== '') {
    $state = rtrim(getenv('TEST_IDP_STATE_DIR') ?: '/var/lib/test-idp', '/');
    $cache = $state . '/tmp/sp-metadata.xml';
    if (is_readable($cache) && filemtime($cache) > time() - 60) {
        $xml = (string) file_get_contents($cache);
    } else {
        $context = stream_context_create(['http' => ['timeout' => 5], 'ssl' => ['verify_peer' => false, 'verify_peer_name' => false]]);
        $fetched = @file_get_contents($url, false, $context);
        if ($fetched !== false && $fetched !== '') {
            $xml = $fetched;
            @file_put_contents($cache . '.new', $xml);
            @rename($cache . '.new', $cache);
        } elseif (is_readable($cache)) {
            $xml = (string) file_get_contents($cache);
        }
    }
}

if ($xml !== '') {
    foreach (\SimpleSAML\Metadata\SAMLParser::parseDescriptorsString($xml) as $entityId => $entity) {
        $sp = $entity->getMetadata20SP();
        if ($sp !== null) {
            $metadata[$entityId] = $sp;
        }
    }
}
