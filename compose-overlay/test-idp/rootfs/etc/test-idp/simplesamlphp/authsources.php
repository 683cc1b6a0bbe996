<?php
/*
 * saml2jwt test IdP: one login form (exampleauth:UserPass) over the demo users of users.php.
 */
$scope = getenv('TEST_IDP_SCOPE') ?: 'example.test';
$users = require __DIR__ . '/users.php';

$userPass = [];
foreach ($users as $name => $user) {
    $attributes = [];
    foreach ($user['attributes'] as $attribute => $values) {
        $attributes[$attribute] = array_map(
            static fn (string $v): string => str_replace('example.test', $scope, $v),
            $values
        );
    }
    $userPass[$name . ':' . $user['password']] = $attributes;
}

$config = [
    'admin' => ['core:AdminPassword'],
    'example-userpass' => array_merge(['exampleauth:UserPass'], $userPass),
];
