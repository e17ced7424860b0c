#!/usr/bin/env bash
# The demo: installs what is missing, builds dbmigrate, starts a throwaway PostgreSQL, and runs
# examples/crm/databasemigration.yaml in local mode (no cluster): backup, verification, Alembic upgrade,
# then the resource's status as `kubectl get -o yaml` shows it. Then the phased manifest on a second database:
# expand runs with its verify query, contract's plan (its SQL) is printed, and the run stops at contract's gate
# with exit 0. Last, examples/seed-defects' NameError manifest on the first database: its rehearsal on a restored
# copy fails (RehearsalFailed) and the database stays where it was. Everything is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh

ensure_packages
ensure_squawk
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
java -jar cli/target/dbmigrate.jar run -f examples/crm/databasemigration.yaml \
  --migrations examples/crm --backup-dir "$workdir/backups" -o yaml >"$workdir/status.yaml"
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
[ "$code" -eq 0 ] || exit "$code"

echo
echo "===== phased: examples/crm/databasemigration-phased.yaml (expand, then contract behind its gates) ====="
psql -q -d postgres -c "CREATE DATABASE crm_phased"
export PGDATABASE=crm_phased
log "dbmigrate run -f examples/crm/databasemigration-phased.yaml --approve contract"
set +e
java -jar cli/target/dbmigrate.jar run -f examples/crm/databasemigration-phased.yaml \
  --migrations examples/crm --backup-dir "$workdir/backups-phased" --approve contract -o yaml >"$workdir/phased.yaml"
code=$?
set -e
echo
echo "----- status of the phased resource -----"
sed -n '/^status:/,$p' "$workdir/phased.yaml"
psql -c "SELECT version_num AS alembic_version FROM alembic_version"
log "dbmigrate run exited with $code (0: stopped at a closed gate, nothing failed)"
[ "$code" -eq 0 ] || exit "$code"

echo
echo "===== rehearsal: examples/seed-defects/databasemigration-nameerror.yaml on the first database ====="
export PGDATABASE=crm
before=$(psql -tA -c "SELECT string_agg(version_num, ',') FROM alembic_version")
log "dbmigrate run -f examples/seed-defects/databasemigration-nameerror.yaml (the guide's NameError revision)"
set +e
java -jar cli/target/dbmigrate.jar run -f examples/seed-defects/databasemigration-nameerror.yaml \
  --migrations examples/seed-defects --backup-dir "$workdir/backups" -o yaml >"$workdir/rehearsal.yaml"
code=$?
set -e
echo
echo "----- the step's rehearsal, as status shows it -----"
grep -A10 '^    rehearsal:' "$workdir/rehearsal.yaml"
after=$(psql -tA -c "SELECT string_agg(version_num, ',') FROM alembic_version")
left=$(psql -tA -d postgres -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'dbmigrate\\_rehearsal\\_%'")
log "exit $code (1: the step failed, in its rehearsal); alembic_version before $before, after $after; scratch databases left: $left"
[ "$code" -eq 1 ] && grep -q 'RehearsalFailed' "$workdir/rehearsal.yaml" && [ "$before" = "$after" ] && [ "$left" = 0 ] || {
  log "the rehearsal did not stop the NameError before the database"; exit 1; }
log "the NameError was caught on a copy; the database was not touched"
