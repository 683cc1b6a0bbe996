#!/usr/bin/env bash
# Docker engine for the docker test tier and CI: engine, compose v2 plugin, local base images.
# Idempotent; run as root. No registry but Debian's and npm's is reachable here, so the base
# images our Dockerfiles name (debian:bookworm-slim, node:24-bookworm-slim) are built locally
# and handed to the builds through their BASE_IMAGE / NODE_IMAGE args.
#
#   setup-docker.sh          set everything up (skips what is already done)
#   setup-docker.sh stop     stop the dockerd this script started (pid file), nothing else
set -euo pipefail

DEBIAN_IMAGE=${SAML2JWT_LOCAL_DEBIAN_IMAGE:-saml2jwt-local/debian:bookworm-slim}
NODE_IMAGE=${SAML2JWT_LOCAL_NODE_IMAGE:-saml2jwt-local/node:24-bookworm-slim}
REPO_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DOCKERD_LOG=${DOCKERD_LOG:-/var/log/saml2jwt-dockerd.log}
DOCKERD_PIDFILE=/run/saml2jwt-dockerd.pid
PLUGIN_DIR=/usr/local/lib/docker/cli-plugins
SOURCES=/etc/apt/sources.list.d/debian.sources

say() { printf '[setup-docker] %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root"

# The Debian archive this machine uses: the first URIs: line of its sources that is not -security.
debian_mirror() {
  [ -r "$SOURCES" ] || die "$SOURCES not found: cannot tell which Debian mirror to use"
  awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }' "$SOURCES"
}

stop_dockerd() {
  if [ -s "$DOCKERD_PIDFILE" ]; then
    local pid; pid=$(cat "$DOCKERD_PIDFILE")
    if kill -0 "$pid" 2>/dev/null; then
      say "stopping dockerd (pid $pid)"
      kill "$pid"
      for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    fi
    rm -f "$DOCKERD_PIDFILE"
  else
    say "no dockerd started by this script"
  fi
}

apt_updated=
apt_install() {
  [ -n "$apt_updated" ] || { apt-get -o DPkg::Lock::Timeout=600 update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "$@" >/dev/null
}

install_packages() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  command -v dpkg-deb >/dev/null || missing+=(dpkg)
  # The docker tier's browser login and its outside-request check.
  command -v chromium >/dev/null || missing+=(chromium)
  command -v curl >/dev/null || missing+=(curl)
  if [ ${#missing[@]} -gt 0 ]; then say "installing ${missing[*]}"; apt_install "${missing[@]}"; fi
}

# overlay2 needs a filesystem that supports overlay mounts under /var/lib/docker; probe it.
storage_driver() {
  local probe; probe=$(mktemp -d /var/lib/saml2jwt-overlay-probe.XXXXXX)
  mkdir -p "$probe"/{lower,upper,work,merged}
  local driver=vfs
  if mount -t overlay overlay -o "lowerdir=$probe/lower,upperdir=$probe/upper,workdir=$probe/work" "$probe/merged" 2>/dev/null; then
    umount "$probe/merged"; driver=overlay2
  fi
  rm -rf "$probe"
  echo "$driver"
}

# Starts dockerd with one storage driver; fails (and stops it) when it does not answer in time.
try_dockerd() {
  say "starting dockerd (storage driver $1, log $DOCKERD_LOG)"
  setsid dockerd --storage-driver="$1" >>"$DOCKERD_LOG" 2>&1 < /dev/null &
  echo $! > "$DOCKERD_PIDFILE"
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && { say "dockerd is up ($(docker info --format '{{.Driver}}'))"; return 0; }
    kill -0 "$(cat "$DOCKERD_PIDFILE")" 2>/dev/null || break
    sleep 1
  done
  tail -n 20 "$DOCKERD_LOG" >&2 || true
  stop_dockerd
  return 1
}

start_dockerd() {
  if docker info >/dev/null 2>&1; then say "dockerd already running"; return; fi
  local driver; driver=$(storage_driver)
  try_dockerd "$driver" && return
  [ "$driver" = vfs ] || { say "overlay2 failed; falling back to vfs"; try_dockerd vfs && return; }
  die "dockerd did not come up"
}

# Compose v2 is packaged as docker-compose in Debian's next release (trixie). Point apt at that
# suite for this one download only, with private lists, so the host's apt state is untouched.
install_compose_plugin() {
  if docker compose version >/dev/null 2>&1; then say "compose plugin present: $(docker compose version --short)"; return; fi
  local mirror; mirror=$(debian_mirror)
  local tmp; tmp=$(mktemp -d /tmp/saml2jwt-compose.XXXXXX)
  mkdir -p "$tmp/lists/partial" "$tmp/archives/partial" "$tmp/root"
  cat > "$tmp/trixie.sources" <<EOF
Types: deb
URIs: $mirror
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  local opts=(-o "Dir::Etc::sourcelist=$tmp/trixie.sources" -o Dir::Etc::sourceparts=- \
    -o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache::archives=$tmp/archives" \
    -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= -o APT::Get::List-Cleanup=0 \
    -o APT::Sandbox::User=root)
  say "fetching docker-compose from trixie"
  apt-get "${opts[@]}" update -qq
  (cd "$tmp" && apt-get "${opts[@]}" download docker-compose >/dev/null)
  dpkg-deb -x "$tmp"/docker-compose_*.deb "$tmp/root"
  local bin; bin=$(find "$tmp/root" -type f -name docker-compose -path '*cli-plugins*' | head -n1)
  [ -n "$bin" ] || bin=$(find "$tmp/root" -type f -name docker-compose | head -n1)
  [ -n "$bin" ] || die "no docker-compose binary in the package"
  install -D -m 0755 "$bin" "$PLUGIN_DIR/docker-compose"
  rm -rf "$tmp"
  docker compose version >/dev/null || die "docker compose does not run"
  say "compose plugin installed: $(docker compose version --short)"
}

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# debian:bookworm-slim look-alike: minbase debootstrap, the host's apt sources (same mirror,
# with updates and security), docs and apt caches dropped as the official slim image does.
build_debian_image() {
  if image_exists "$DEBIAN_IMAGE"; then say "$DEBIAN_IMAGE present"; return; fi
  local mirror; mirror=$(debian_mirror)
  local root; root=$(mktemp -d /var/tmp/saml2jwt-debootstrap.XXXXXX)
  say "debootstrap bookworm (minbase) into $root"
  debootstrap --variant=minbase bookworm "$root" "$mirror" > "$root.log" 2>&1 \
    || { tail -n 20 "$root.log" >&2; die "debootstrap failed"; }
  rm -f "$root/etc/apt/sources.list"
  install -m 0644 "$SOURCES" "$root/etc/apt/sources.list.d/debian.sources"
  cat > "$root/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
EOF
  cat > "$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";
EOF
  echo 'APT::Install-Recommends "0";' > "$root/etc/apt/apt.conf.d/docker-no-recommends"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
    "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* "$root"/var/log/*.log
  find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
  tar -C "$root" --numeric-owner -c . | docker import -c 'CMD ["bash"]' - "$DEBIAN_IMAGE" >/dev/null
  rm -rf "$root" "$root.log"
  say "built $DEBIAN_IMAGE"
}

# node:24-bookworm-slim look-alike: the pinned Node 24 binary that .ci/install-node.sh installs
# (the one CI runs the suite with) and this machine's npm, at /usr/local, and the `node` user
# (uid 1000). An image made from another Node version is made again.
# Outbound TLS here may pass through a proxy whose CA only this machine trusts: the local
# CAs (/usr/local/share/ca-certificates) go into this test-only base so `npm ci` in builds works.
build_node_image() {
  local prefix; prefix=$(bash "$REPO_ROOT/.ci/install-node.sh") || die "could not install the pinned Node"
  local node="$prefix/bin/node" version
  version=$("$node" -p process.versions.node)
  if image_exists "$NODE_IMAGE"; then
    local env; env=$(docker image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$NODE_IMAGE")
    if grep -qx "NODE_VERSION=$version" <<<"$env"; then say "$NODE_IMAGE present (Node $version)"; return; fi
    say "$NODE_IMAGE holds another Node than $version: making it again"
  fi
  local npm_dir; npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  [ -f "$npm_dir/package.json" ] || die "no npm on this machine to put into the image"
  local ctx; ctx=$(mktemp -d /tmp/saml2jwt-node-image.XXXXXX)
  cp "$(readlink -f "$node")" "$ctx/node"
  cp -a "$npm_dir" "$ctx/npm"
  cat /usr/local/share/ca-certificates/*.crt > "$ctx/host-extra-ca.crt" 2>/dev/null || true
  cat > "$ctx/Dockerfile" <<EOF
FROM $DEBIAN_IMAGE
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY host-extra-ca.crt /usr/local/share/ca-certificates/saml2jwt-host-extra.crt
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/saml2jwt-host-extra.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && groupadd --gid 1000 node \\
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \\
 && node --version && npm --version
ENV NODE_VERSION=$version
CMD ["node"]
EOF
  say "building $NODE_IMAGE (Node $version)"
  docker build -q -t "$NODE_IMAGE" "$ctx" >/dev/null
  rm -rf "$ctx"
  say "built $NODE_IMAGE"
}

main() {
  case "${1:-}" in
    stop) stop_dockerd; return ;;
    ''|setup) ;;
    *) die "usage: $0 [setup|stop]" ;;
  esac
  install_packages
  start_dockerd
  install_compose_plugin
  build_debian_image
  build_node_image
  docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep '^saml2jwt-local/' >&2 || true
  say "ready in ${SECONDS}s"
}

main "$@"
