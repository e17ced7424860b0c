#!/usr/bin/env bash
# The test command: installs what is missing (Debian packages), starts a throwaway PostgreSQL on loopback and a
# private Docker engine, builds the jars (`mvn package -DskipTests`) and from them the operator, migrations and a team
# image (examples/crm), and runs the whole suite (unit tests, then the integration, image and end-to-end tests) with
# `mvn verify`, which gets the engine and the images in DBMIGRATE_TEST_DOCKER_HOST and DBMIGRATE_TEST_IMAGES.
# Base images and the builder's cache stay in /var/lib/dbmigrate-docker between runs (a second build takes seconds).
# Extra arguments go to Maven, e.g. scripts/test.sh -Dit.test=EndToEndIT
# With DBMIGRATE_TEST_KUBECONFIG=/path/to/kubeconfig the end-to-end suite runs against that API server.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
. scripts/lib/docker.sh

started=$(date +%s)
ensure_packages
ensure_squawk
ensure_docker_packages
use_debian_python

workdir=$(mktemp -d /tmp/dbmigrate-test.XXXXXX)
chmod 755 "$workdir"   # the postgres user must reach its data folder inside
# Only the engine this run started: one still waiting for another run's engine leaves that one alone.
trap '[ -z "${DOCKERD_PID:-}" ] || stop_docker; stop_postgres; rm -rf "$workdir"' EXIT
start_postgres "$workdir/pg" "$(free_port 55500)"
start_docker
ensure_base_image

# The images copy the jars this package step builds; verify then rebuilds nothing it does not have to.
mvn -B -ntp -q package -DskipTests "$@"
build_images test
export DBMIGRATE_TEST_DOCKER_HOST="unix://$DOCKER_SOCKET"
export DBMIGRATE_TEST_IMAGES="migrations=$MIGRATIONS_IMAGE,operator=$OPERATOR_IMAGE,team=$TEAM_IMAGE"
# Testcontainers (the K3s test) on the same engine, without Ryuk: its image would have to be pulled.
export DOCKER_HOST="$DBMIGRATE_TEST_DOCKER_HOST" TESTCONTAINERS_RYUK_DISABLED=true

mvn -B -ntp verify "$@"
log "suite passed in $(( $(date +%s) - started )) s"
