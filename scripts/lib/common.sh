# Shared by scripts/test.sh and scripts/demo.sh: install what is missing, start a throwaway PostgreSQL.
# Source it; it defines functions only.

log() { printf '[dbmigrate] %s\n' "$*" >&2; }

# Debian packages the build and the tests need. Installed only when missing, so a second run is fast.
ensure_packages() {
  local missing=()
  command -v mvn >/dev/null 2>&1 || missing+=(maven)
  command -v javac >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
  [ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql-15)
  [ -x /usr/lib/postgresql/15/bin/pgbench ] || missing+=(postgresql-contrib)
  command -v pg_dump >/dev/null 2>&1 || missing+=(postgresql-client)
  [ -x /usr/bin/alembic ] || missing+=(alembic)
  /usr/bin/python3 -c 'import psycopg2' >/dev/null 2>&1 || missing+=(python3-psycopg2)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing: ${missing[*]}"
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# ensure_squawk: the squawk binary the migrations image carries (the version and sha512 of
# migrations-image/squawk.version), for the tests and local mode on this machine: the npm tarball fetched once from the
# registry into a cache folder, checksum checked, kept there (stage_squawk hands it to the image build), its binary
# exported as DBMIGRATE_SQUAWK.
ensure_squawk() {
  local root pin cache bin tgz
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  pin="$root/migrations-image/squawk.version"
  local SQUAWK_VERSION SQUAWK_SHA512
  . "$pin"
  cache="${DBMIGRATE_SQUAWK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dbmigrate/squawk-$SQUAWK_VERSION}"
  bin="$cache/squawk"
  tgz="$cache/squawk-linux-x64.tgz"
  if [ ! -x "$bin" ] || [ ! -f "$tgz" ]; then
    command -v curl >/dev/null 2>&1 || { local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo";
      $sudo apt-get update -qq; DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends curl ca-certificates >/dev/null; }
    mkdir -p "$cache"
    log "fetching squawk $SQUAWK_VERSION from registry.npmjs.org"
    curl -fsSL -o "$tgz.part" "https://registry.npmjs.org/@squawk-cli/linux-x64/-/linux-x64-$SQUAWK_VERSION.tgz"
    echo "$SQUAWK_SHA512  $tgz.part" | sha512sum -c - >/dev/null \
      || { log "squawk $SQUAWK_VERSION: checksum mismatch (see $pin)"; rm -f "$tgz.part"; return 1; }
    tar -xzf "$tgz.part" -C "$cache" package/bin/squawk
    mv "$cache/package/bin/squawk" "$bin"; rm -rf "$cache/package"; mv "$tgz.part" "$tgz"
  fi
  "$bin" --version >/dev/null || { log "$bin does not start"; return 1; }
  export DBMIGRATE_SQUAWK="$bin"
  SQUAWK_TARBALL="$tgz"
}

# stage_squawk: the pinned squawk tarball where migrations-image/Dockerfile takes it from the build context
# (migrations-image/target/squawk-linux-x64.tgz), so that the image build does not fetch it itself.
stage_squawk() {
  ensure_squawk || return 1
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  mkdir -p "$root/migrations-image/target"
  cp "$SQUAWK_TARBALL" "$root/migrations-image/target/squawk-linux-x64.tgz"
}

# ensure_runner_jar: migrations-image/target/dbmigrate-runner.jar (from the repository root), built when it is missing
# or older than the runner's or the contract's sources, so that a benchmark never times a stale runner.
ensure_runner_jar() {
  local jar=migrations-image/target/dbmigrate-runner.jar
  if [ ! -f "$jar" ] || [ -n "$(find migrations-image/src migrations-image/pom.xml runner-contract/src pom.xml \
      -newer "$jar" -print -quit)" ]; then
    log "building the runner (mvn -pl migrations-image -am package -DskipTests)"
    mvn -B -q -ntp -pl migrations-image -am package -DskipTests
  fi
}

# median [FORMAT]: the median of the numbers on stdin, one a line (an even count: the mean of the middle two, printed
# with FORMAT, default %.3f).
median() {
  sort -n | awk -v f="${1:-%.3f}" '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf f "\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Debian's python3 and alembic, ahead of a pyenv python3 that lacks alembic and psycopg2.
use_debian_python() {
  export PATH="/usr/bin:$PATH"
  export DBMIGRATE_ALEMBIC="${DBMIGRATE_ALEMBIC:-/usr/bin/alembic}"
}

# start_postgres DIR PORT: a throwaway cluster in DIR on 127.0.0.1:PORT, superuser `postgres`
# with password auth. Exports PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE for what follows.
start_postgres() {
  local dir="$1" port="$2" bin=/usr/lib/postgresql/15/bin
  local as=""
  # PostgreSQL refuses to run as root.
  if [ "$(id -u)" -eq 0 ]; then as="runuser -u postgres --"; fi
  rm -rf "$dir"; mkdir -p "$dir"
  [ -z "$as" ] || chown postgres "$dir"
  local pw="$dir/.pw"
  PG_TEST_PASSWORD="${PG_TEST_PASSWORD:-dbmigrate-$RANDOM$RANDOM}"
  printf '%s\n' "$PG_TEST_PASSWORD" >"$pw"
  [ -z "$as" ] || chown postgres "$pw"
  $as "$bin/initdb" -D "$dir/data" -U postgres --auth=scram-sha-256 --pwfile="$pw" -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; return 1; }
  rm -f "$pw"
  $as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir/data -c max_connections=200 -c fsync=off" >/dev/null \
    || { cat "$dir/server.log" >&2; return 1; }
  export PGHOST=127.0.0.1 PGPORT="$port" PGUSER=postgres PGPASSWORD="$PG_TEST_PASSWORD" PGDATABASE=postgres
  PG_TEST_DIR="$dir"
  log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $dir)"
}

stop_postgres() {
  [ -n "${PG_TEST_DIR:-}" ] && [ -d "$PG_TEST_DIR/data" ] || return 0
  local as=""; [ "$(id -u)" -eq 0 ] && as="runuser -u postgres --"
  $as /usr/lib/postgresql/15/bin/pg_ctl -D "$PG_TEST_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
}

# free_port: a TCP port nobody listens on, from a range our scripts own.
free_port() {
  local p
  for p in $(seq "${1:-55432}" "$(( ${1:-55432} + 200 ))"); do
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
  done
  return 1
}
