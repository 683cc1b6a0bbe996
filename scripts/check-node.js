#!/usr/bin/env node
// `npm test`'s first step: stop with one clear line when this Node is older than package.json's
// engines.node asks (npm itself only warns), before the build fails somewhere less obvious.
// Plain CommonJS with old syntax on purpose, so that it runs on the very Node it turns away.
//
//   node scripts/check-node.js [VERSION]    VERSION: the one to judge (default: this Node's)
'use strict';
var path = require('path');

var engines = require(path.join(__dirname, '..', 'package.json')).engines.node; // ">=24"
var wanted = Number((/^>=\s*(\d+)/.exec(engines) || [])[1]);
if (!wanted) {
  console.error('check-node: package.json engines.node is "' + engines + '"; expected ">=N"');
  process.exit(1);
}
var version = (process.argv[2] || process.versions.node).replace(/^v/, '');
if (Number(version.split('.')[0]) < wanted) {
  console.error(
    'jitsi-saml2jwt needs Node ' + wanted + ' or newer (package.json engines.node "' + engines + '"), ' +
      'but this is Node ' + version + ' (' + process.execPath + ').\n' +
      'Install Node ' + wanted + ' LTS and put it first on PATH; `bash .ci/install-node.sh` installs the ' +
      'version CI uses and prints its folder (add its bin/ to PATH).'
  );
  process.exit(1);
}
