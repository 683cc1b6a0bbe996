#!/bin/bash
# Install the Debian packages the end-to-end test runs on the host: Apache + mod_shib
# (the SP; shibboleth-sp-utils has shibd and mdquery), SimpleSAMLphp with mod_php and its PHP
# extensions (the test IdP), Chromium (the browser), xmlsec1 (signs the federation metadata
# fixtures), libxml2-utils (xmllint, the SAML schemas), nginx (Jitsi's web server, for our
# snippet's headers). Idempotent: installs only what is missing. Needs root (or sudo).
set -euo pipefail

packages=(
  apache2 libapache2-mod-shib libapache2-mod-auth-openidc shibboleth-sp-utils
  simplesamlphp libapache2-mod-php php-xml php-mbstring
  chromium
  openssl curl gettext-base xmlsec1
  libxml2-utils
  memcached
  nginx-light
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all present (${packages[*]})"
  exit 0
fi

sudo=
[[ $(id -u) == 0 ]] || sudo=sudo
echo "install-deps: installing ${missing[*]}"
$sudo apt-get -o DPkg::Lock::Timeout=600 update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"

# The packages enable system services we do not use; the test runs its own instances.
for s in apache2 shibd memcached nginx; do
  $sudo systemctl disable --now "$s" >/dev/null 2>&1 || $sudo service "$s" stop >/dev/null 2>&1 || true
done
