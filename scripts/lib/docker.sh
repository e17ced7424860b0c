# Used by scripts/test.sh: a private Docker engine, base images made from Debian packages, and the project's images.
# Source it after common.sh; it defines functions only.
#
# No registry but Debian's mirror is reachable from CI, so nothing is pulled: the Debian base is made with
# debootstrap and `docker import`, and every other base is built FROM it. The engine is our own dockerd (own socket,
# data root, exec root, pidfile; its containerd lives under the exec root), so it neither needs nor disturbs a
# system engine or another one on the same machine.

DOCKER_CACHE="${DBMIGRATE_DOCKER_CACHE:-/var/lib/dbmigrate-docker}"   # data root + base tarball, kept between runs
DOCKER_RUN_DIR="${DBMIGRATE_DOCKER_RUN:-/run/dbmigrate-docker}"       # socket, exec root, pidfile, log
DOCKER_SOCKET="$DOCKER_RUN_DIR/docker.sock"

# Debian's engine and the client of the same release (the API versions match; a newer client elsewhere on PATH
# would only negotiate down to it).
docker_cli() { /usr/bin/docker -H "unix://$DOCKER_SOCKET" "$@"; }

ensure_docker_packages() {
  local missing=()
  [ -x /usr/sbin/dockerd ] && [ -x /usr/bin/docker ] || missing+=(docker.io)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing: ${missing[*]}"
    # The packages' scripts must not start the system's dockerd and containerd (with iptables, a bridge and the
    # default data root): a policy-rc.d that refuses every start, for the time of the install, as in Debian images.
    local policy=/usr/sbin/policy-rc.d ours=""
    if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 0755 "$policy"; ours=1; fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    [ -z "$ours" ] || rm -f "$policy"
  fi
}

# start_docker: dockerd without iptables or a bridge (containers use --network host, as builds do), waited for.
start_docker() {
  mkdir -p "$DOCKER_CACHE/data" "$DOCKER_RUN_DIR/exec"
  # One run per engine: a second scripts/test.sh on the same data root waits here rather than stop the first one's
  # engine under its tests. The lock is this shell's open file (dockerd does not inherit it), so a killed run
  # releases it.
  exec {DOCKER_LOCK_FD}>"$DOCKER_CACHE/engine.lock"
  if ! flock -n "$DOCKER_LOCK_FD"; then
    log "another run uses the Docker engine of $DOCKER_CACHE: waiting for it to end (to run side by side, give each" \
      "run its own DBMIGRATE_DOCKER_CACHE and DBMIGRATE_DOCKER_RUN)"
    flock "$DOCKER_LOCK_FD"
  fi
  # A dockerd left over by a killed run holds the data root: stop it first (its pidfile says which).
  stop_docker
  /usr/sbin/dockerd --iptables=false --ip-masq=false --bridge=none \
    -H "unix://$DOCKER_SOCKET" --data-root "$DOCKER_CACHE/data" --exec-root "$DOCKER_RUN_DIR/exec" \
    --pidfile "$DOCKER_RUN_DIR/dockerd.pid" >"$DOCKER_RUN_DIR/dockerd.log" 2>&1 {DOCKER_LOCK_FD}>&- &
  DOCKERD_PID=$!
  local i
  for i in $(seq 1 120); do
    if docker_cli version >/dev/null 2>&1; then
      log "Docker engine $(docker_cli version --format '{{.Server.Version}}') on unix://$DOCKER_SOCKET (data in $DOCKER_CACHE/data)"
      return 0
    fi
    kill -0 "$DOCKERD_PID" 2>/dev/null || break
    sleep 0.5
  done
  tail -n 30 "$DOCKER_RUN_DIR/dockerd.log" >&2
  log "the Docker engine did not start"
  return 1
}

stop_docker() {
  local pidfile="$DOCKER_RUN_DIR/dockerd.pid" pid i
  [ -s "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    # dockerd stops its containers (10 s grace each, in parallel) and its containerd before it exits.
    for i in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  fi
  rm -f "$pidfile"
}

# The first deb.debian.org-style mirror that apt uses on this machine (one-line or deb822 sources).
debian_mirror() {
  local m
  m=$(grep -hsE '^(deb |URIs:)' /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources \
      | grep -oE 'https?://[^ ]+/debian/?' | grep -v security | head -n 1)
  echo "${m:-http://deb.debian.org/debian}"
}

# slim_rootfs DIR: what makes debian:bookworm-slim slim, applied to a debootstrap root file system: dpkg leaves out
# docs (but copyrights), man pages and translations of every package installed later too (without it the migrations
# image grows by some 190 MB), apt keeps no package caches or translated lists, and what debootstrap installed goes.
slim_rootfs() {
  local root="$1"
  cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
  cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  echo 'Acquire::Languages "none";' >"$root/etc/apt/apt.conf.d/docker-no-languages"
  echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$root/etc/apt/apt.conf.d/docker-autoremove-suggests"
  find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
    "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/groff/* "$root"/usr/share/lintian/*
}

# ensure_base_image: debian:bookworm-slim, imported from a debootstrap root file system (the tarball is cached).
ensure_base_image() {
  local tar="$DOCKER_CACHE/debian-bookworm-slim.tar"
  if ! docker_cli image inspect debian:bookworm-slim >/dev/null 2>&1; then
    if [ ! -s "$tar" ]; then
      local root mirror; root=$(mktemp -d /tmp/dbmigrate-rootfs.XXXXXX); mirror=$(debian_mirror)
      log "debootstrap --variant=minbase bookworm from $mirror"
      debootstrap --variant=minbase bookworm "$root" "$mirror" >"$DOCKER_RUN_DIR/debootstrap.log" 2>&1 \
        || { tail -n 30 "$DOCKER_RUN_DIR/debootstrap.log" >&2; rm -rf "$root"; return 1; }
      slim_rootfs "$root"
      tar -C "$root" -cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
      rm -rf "$root"
    fi
    docker_cli import -c 'CMD ["bash"]' "$tar" debian:bookworm-slim >/dev/null
  fi
}

# The operator image's default base, eclipse-temurin:17-jre, stood in for by that Debian with Debian's Java 17 JRE
# (the same major as Temurin's). Cached by the builder: a second run finds every step in its cache.
build_temurin_standin() {
  docker_cli build -q --network host -t eclipse-temurin:17-jre - >/dev/null <<'EOF'
FROM debian:bookworm-slim
RUN set -eux; mkdir -p /usr/share/man/man1; apt-get update; \
    apt-get install -y --no-install-recommends openjdk-17-jre-headless ca-certificates; rm -rf /var/lib/apt/lists/*
EOF
}

# build_images TAG: the operator image, the migrations image, and a team image FROM the migrations image carrying
# examples/crm with the Dockerfile docs/first-migration.md tells teams to write. The jars must be built (mvn package).
# Sets OPERATOR_IMAGE, MIGRATIONS_IMAGE, TEAM_IMAGE.
build_images() {
  local tag="$1" t0 ctx
  OPERATOR_IMAGE="dbmigrate/operator:$tag"
  MIGRATIONS_IMAGE="dbmigrate/migrations:$tag"
  TEAM_IMAGE="dbmigrate/crm-migrations:$tag"
  t0=$(date +%s)
  # The two chains side by side (each is mostly apt downloading and unpacking): the Temurin stand-in and the operator
  # image in the background, the migrations image and the team image here.
  # --network host: the engine has no bridge; the build reaches Debian's mirror through the host.
  local operator_log="$DOCKER_RUN_DIR/operator-build.log" operator_job
  ( build_temurin_standin && docker_cli build -q --network host -f cli/Dockerfile -t "$OPERATOR_IMAGE" . >/dev/null ) \
    >"$operator_log" 2>&1 &
  operator_job=$!
  # PGDG is not reachable from CI: Debian's client, 15, is the one the build can install; squawk's tarball comes
  # from the context (see stage_squawk).
  stage_squawk || { log "squawk could not be staged for the migrations image"; return 1; }
  docker_cli build -q --network host -f migrations-image/Dockerfile \
    --build-arg PG_CLIENT=debian --build-arg PG_MAJOR=15 -t "$MIGRATIONS_IMAGE" . >/dev/null
  ctx=$(mktemp -d /tmp/dbmigrate-team.XXXXXX)
  # The team's Dockerfile exactly as the guide gives it (the here-document after `docker build ... examples/crm`),
  # but FROM the image just built; the context is examples/crm, as there.
  sed -n "/^docker build .* examples\/crm <<'EOF'\$/,/^EOF\$/p" docs/first-migration.md | sed '1d;$d' \
    | sed -E "s#^FROM .*#FROM $MIGRATIONS_IMAGE#" >"$ctx/Dockerfile"
  grep -q "^FROM $MIGRATIONS_IMAGE\$" "$ctx/Dockerfile" || { log "no team Dockerfile found in docs/first-migration.md"; return 1; }
  docker_cli build -q --network host -f "$ctx/Dockerfile" -t "$TEAM_IMAGE" examples/crm >/dev/null
  rm -rf "$ctx"
  wait "$operator_job" || { cat "$operator_log" >&2; log "the operator image did not build"; return 1; }
  log "images built in $(( $(date +%s) - t0 )) s:"
  local image
  for image in "$OPERATOR_IMAGE" "$MIGRATIONS_IMAGE" "$TEAM_IMAGE" debian:bookworm-slim eclipse-temurin:17-jre; do
    log "  $image: $(( $(docker_cli image inspect --format '{{.Size}}' "$image") / 1000000 )) MB"
  done
}
