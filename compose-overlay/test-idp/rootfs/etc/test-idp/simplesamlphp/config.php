<?php
/*
 * saml2jwt test IdP: SimpleSAMLphp configuration (Debian's simplesamlphp 1.19).
 * Everything that differs between the docker image and the host end-to-end test comes from
 * the environment (see ../README.md); only what a SAML IdP needs is switched on.
 * FOR TESTS AND DEMOS ONLY: users and passwords are public.
 */

$env = static function (string $name, ?string $default = null): string {
    $value = getenv($name);
    if ($value === false || $value === '') {
        if ($default === null) {
            throw new \Exception("test IdP: environment variable $name is required");
        }
        return $default;
    }
    return $value;
};

$state = rtrim($env('TEST_IDP_STATE_DIR', '/var/lib/test-idp'), '/');

$config = [
    // https://idp.example.test:9443 -> SSO at https://idp.example.test:9443/simplesaml/...
    'baseurlpath' => rtrim($env('TEST_IDP_BASE_URL'), '/') . '/simplesaml/',
    'certdir' => $state . '/cert/',
    'loggingdir' => $state . '/log/',
    'datadir' => $state . '/data/',
    'tempdir' => $state . '/tmp',
    'metadatadir' => __DIR__ . '/metadata/',

    'technicalcontact_name' => 'saml2jwt test IdP',
    'technicalcontact_email' => 'root@localhost',
    'timezone' => 'UTC',

    // Also the salt of the demo users' pairwise ids (see metadata/saml20-idp-hosted.php).
    'secretsalt' => $env('TEST_IDP_SECRET_SALT'),
    // The admin pages stay locked: a random password nobody knows.
    'auth.adminpassword' => bin2hex(random_bytes(16)),
    'admin.protectindexpage' => true,
    'admin.protectmetadata' => false,

    'enable.saml20-idp' => true,
    'enable.shib13-idp' => false,
    'module.enable' => [
        'exampleauth' => true,
        'core' => true,
        'saml' => true,
        'admin' => true,
    ],

    // Log to Apache's error log, which goes to the console.
    'logging.level' => SimpleSAML\Logger::NOTICE,
    'logging.handler' => 'errorlog',
    'debug' => ['saml' => false, 'backtraces' => true, 'validatexml' => false],
    'showerrors' => true,
    'errorreporting' => false,

    'session.duration' => 8 * 60 * 60,
    'session.cookie.secure' => true,
    'session.cookie.samesite' => 'None',
    'session.phpsession.savepath' => $state . '/sessions',
    'store.type' => 'phpsession',

    'language.available' => ['en'],
    'language.default' => 'en',
    'theme.use' => 'default',

    'metadata.sources' => [
        ['type' => 'flatfile'],
    ],
    'metadata.sign.enable' => false,
];
