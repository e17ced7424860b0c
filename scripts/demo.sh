#!/usr/bin/env bash
# The demo: installs what is missing, builds dbmigrate, starts a throwaway PostgreSQL, and runs
# examples/crm/databasemigration.yaml in local mode (no cluster): backup, verification, Alembic upgrade,
# then the resource's status as `kubectl get -o yaml` shows it. Everything is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh

ensure_packages
use_debian_python

workdir=$(mktemp -d /tmp/dbmigrate-demo.XXXXXX)
chmod 755 "$workdir"
trap 'stop_postgres; rm -rf "$workdir"' EXIT

log "building dbmigrate (mvn package -DskipTests)"
mvn -B -ntp -q package -DskipTests

start_postgres "$workdir/pg" "$(free_port 55700)"
psql -q -c "CREATE DATABASE crm"

# The manifest names crm-db.crm.svc, a cluster address; PGHOST/PGPORT from start_postgres override it,
# and PGUSER/PGPASSWORD stand in for the Secret a cluster would hold.
export PGDATABASE=crm
log "dbmigrate run -f examples/crm/databasemigration.yaml --migrations examples/crm"
set +e
java -jar operator/target/dbmigrate.jar run -f examples/crm/databasemigration.yaml \
  --migrations examples/crm --backup-dir "$workdir/backups" >"$workdir/status.yaml"
code=$?
set -e
echo
echo "----- the resource after the run (status as kubectl get -o yaml shows it) -----"
cat "$workdir/status.yaml"
echo
echo "----- what the database says -----"
psql -c "SELECT version_num AS alembic_version FROM alembic_version"
psql -c "\dt"
echo "----- the verified backup -----"
ls -l "$workdir/backups"
echo
log "dbmigrate run exited with $code"
exit "$code"
