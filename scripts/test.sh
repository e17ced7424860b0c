#!/usr/bin/env bash
# The test command: installs what is missing (Debian packages), starts a throwaway PostgreSQL on loopback,
# and runs the whole suite (unit tests, then the integration and end-to-end tests) with `mvn verify`.
# Extra arguments go to Maven, e.g. scripts/test.sh -Dit.test=EndToEndIT
# With DBMIGRATE_TEST_KUBECONFIG=/path/to/kubeconfig the end-to-end suite runs against that API server.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh

started=$(date +%s)
ensure_packages
use_debian_python

workdir=$(mktemp -d /tmp/dbmigrate-test.XXXXXX)
chmod 755 "$workdir"   # the postgres user must reach its data folder inside
trap 'stop_postgres; rm -rf "$workdir"' EXIT
start_postgres "$workdir/pg" "$(free_port 55500)"

mvn -B -ntp verify "$@"
log "suite passed in $(( $(date +%s) - started )) s"
