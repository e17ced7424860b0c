#!/usr/bin/env bash
# Zero-downtime benchmark (issue "Zero-downtime phases", item 7): how long does the application
# stall while a migration that needs ACCESS EXCLUSIVE waits behind a long reader?
#
# On a throwaway PostgreSQL 15 with a tickets table of BENCH_ROWS rows, pgbench runs the
# application's queries at a fixed rate (open loop). After BENCH_WARMUP seconds a reader takes
# ACCESS SHARE on tickets; 0.5 s later the migration (scripts/bench/migrations: ALTER TABLE tickets
# ADD COLUMN, catalog-only) starts, and the reader keeps its lock BENCH_READER_HOLD seconds from the
# moment the ALTER queues behind it (so a slow-starting JVM does not shorten the test; see
# scripts/bench/reader.sql). Twice, same load and table:
#   (a) plain `alembic upgrade head` (no lock_timeout): the ALTER queues behind the reader and
#       the application queues behind the ALTER;
#   (b) `dbmigrate-runner upgrade --lock-timeout 200ms [--lock-retries 10]`.
# scripts/bench/analyze.py prints the application's latency during the migration window, failed and
# skipped transactions, and PASS/FAIL lines for the targets. Exit status: 0, or 2 on a setup error
# (a missed target is a result, not an error).
#
# Knobs (environment): BENCH_ROWS (1000000), BENCH_RATE (200 tps), BENCH_DURATION (25 s per scenario),
# BENCH_WARMUP (5 s), BENCH_READER_HOLD (5 s), BENCH_LATENCY_LIMIT_MS (500), BENCH_LOCK_TIMEOUT (200ms),
# BENCH_LOCK_RETRIES (10).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh

ROWS=${BENCH_ROWS:-1000000}
RATE=${BENCH_RATE:-200}
CLIENTS=4
THREADS=2
DURATION=${BENCH_DURATION:-25}
WARMUP=${BENCH_WARMUP:-5}
READER_HOLD=${BENCH_READER_HOLD:-5}
LATENCY_LIMIT_MS=${BENCH_LATENCY_LIMIT_MS:-500}
LOCK_TIMEOUT=${BENCH_LOCK_TIMEOUT:-200ms}
LOCK_RETRIES=${BENCH_LOCK_RETRIES:-10}
MIGRATION_DELAY=0.5          # after the reader holds its lock
BENCH=scripts/bench
JAR=migrations-image/target/dbmigrate-runner.jar

die() { log "setup error: $*"; exit 2; }
now_ms() { date +%s%3N; }

case "$LOCK_TIMEOUT" in
  *ms) LOCK_TIMEOUT_MS=${LOCK_TIMEOUT%ms} ;;
  *s) LOCK_TIMEOUT_MS=$(( ${LOCK_TIMEOUT%s} * 1000 )) ;;
  *) die "BENCH_LOCK_TIMEOUT must be like 200ms or 1s, not $LOCK_TIMEOUT" ;;
esac

ensure_packages
use_debian_python
# The plain scenario must run without a lock_timeout, whatever the caller's environment says.
unset PGOPTIONS PGSERVICE PGSERVICEFILE PGCONNECT_TIMEOUT
export PYTHONDONTWRITEBYTECODE=1   # no __pycache__ in scripts/bench/migrations

ensure_runner_jar || die "the runner jar did not build"
runner_help=$(java -jar "$JAR" upgrade --help 2>&1) || die "java -jar $JAR upgrade --help failed: $runner_help"
retry_args=()
note=""
if grep -q -- '--lock-retries' <<<"$runner_help"; then
  retry_args=(--lock-retries "$LOCK_RETRIES")
else
  note="this runner has no --lock-retries yet (retries of lock_timeout are not in this runner): (b) runs without it, so its migration gives up after one lock_timeout (exit 20 LockNotAcquired) instead of retrying"
  log "NOTE: $note"
fi

workdir=$(mktemp -d /tmp/dbmigrate-bench.XXXXXX)
chmod 755 "$workdir"
pgbench_pid="" reader_pid=""
cleanup() {
  local pid
  for pid in "$pgbench_pid" "$reader_pid"; do
    [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
  done
  for pid in "$pgbench_pid" "$reader_pid"; do
    [ -z "$pid" ] || wait "$pid" 2>/dev/null || true
  done
  stop_postgres
  rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_postgres "$workdir/pg" "$(free_port 55900)" || die "PostgreSQL did not start"
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE bench" || die "CREATE DATABASE bench failed"
export PGDATABASE=bench
t0=$(now_ms)
psql -X -q -v ON_ERROR_STOP=1 -v rows="$ROWS" -f "$BENCH/tickets.sql" || die "creating tickets failed"
log "tickets: $ROWS rows in $(( $(now_ms) - t0 )) ms"

sql() { psql -X -A -t -q -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -c "$1"; }

# wait_for WHAT SECONDS SQL: poll until SQL returns t (20 ms apart), or die.
wait_for() {
  local what="$1" deadline=$(( $(now_ms) + $2 * 1000 ))
  until [ "$(sql "$3")" = t ]; do
    [ "$(now_ms)" -lt "$deadline" ] || die "timed out waiting for $what"
    sleep 0.02
  done
}

schema_is_clean() {
  [ "$(sql "SELECT NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = 'tickets'::regclass
                                AND attname = 'priority' AND NOT attisdropped)
                   AND to_regclass('alembic_version') IS NULL")" = t ]
}

# Undo the migration for the next scenario: Alembic's downgrade when it is applied, then its table.
reset_schema() {
  if [ "$(sql "SELECT to_regclass('alembic_version') IS NOT NULL")" = t ] \
     && [ "$(sql "SELECT EXISTS (SELECT FROM alembic_version)")" = t ]; then
    /usr/bin/alembic -c "$BENCH/migrations/alembic.ini" downgrade base >"$workdir/downgrade.log" 2>&1 \
      || { cat "$workdir/downgrade.log" >&2; die "alembic downgrade base failed"; }
  fi
  sql "DROP TABLE IF EXISTS alembic_version" >/dev/null
  schema_is_clean || die "the schema is not back to its starting point"
}

# run_scenario NAME TITLE COMMAND...: the load, the reader, the migration (COMMAND), then the analysis.
run_scenario() {
  local name="$1" title="$2"; shift 2
  local d="$workdir/$name" rc
  mkdir -p "$d"
  schema_is_clean || die "the schema is not at its starting point before $name"
  sql "VACUUM ANALYZE tickets" >/dev/null; sql "CHECKPOINT" >/dev/null

  log "$name: pgbench -R $RATE -c $CLIENTS -j $THREADS -T $DURATION -L $LATENCY_LIMIT_MS"
  PGAPPNAME=bench-app pgbench -n -f "$BENCH/app.sql" -D rows="$ROWS" -R "$RATE" -c "$CLIENTS" -j "$THREADS" \
    -T "$DURATION" -L "$LATENCY_LIMIT_MS" --failures-detailed -l --log-prefix="$d/pgbench_log" \
    >"$d/pgbench.out" 2>&1 &
  pgbench_pid=$!
  wait_for "pgbench's $CLIENTS clients" 10 \
    "SELECT count(*) >= $CLIENTS FROM pg_stat_activity WHERE application_name = 'bench-app'"
  sleep "$WARMUP"
  kill -0 "$pgbench_pid" 2>/dev/null || { cat "$d/pgbench.out" >&2; die "pgbench stopped during the warm-up"; }

  PGAPPNAME=bench-reader psql -X -A -t -q -v ON_ERROR_STOP=1 -v hold="$READER_HOLD" -f "$BENCH/reader.sql" \
    >"$d/reader.out" 2>&1 &
  reader_pid=$!
  wait_for "the reader's lock" 10 \
    "SELECT EXISTS (SELECT FROM pg_locks l JOIN pg_stat_activity a USING (pid)
                    WHERE a.application_name = 'bench-reader' AND l.relation = 'tickets'::regclass
                      AND l.mode = 'AccessShareLock' AND l.granted)"
  sleep "$MIGRATION_DELAY"

  log "$name: $*"
  local start end mig_rc=0
  start=$(now_ms)
  DBMIGRATE_RESULT_PATH="$d/result.json" DBMIGRATE_ALEMBIC=/usr/bin/alembic "$@" \
    >"$d/migration.out" 2>&1 || mig_rc=$?
  end=$(now_ms)
  log "$name: migration exited with $mig_rc after $(( end - start )) ms"

  rc=0; wait "$reader_pid" || rc=$?; reader_pid=""
  [ "$rc" -eq 0 ] || { cat "$d/reader.out" >&2; die "the reader failed"; }
  rc=0; wait "$pgbench_pid" || rc=$?; pgbench_pid=""
  # 2 = some clients aborted (an application error: counted by the analysis); anything else is ours.
  [ "$rc" -eq 0 ] || [ "$rc" -eq 2 ] || { cat "$d/pgbench.out" >&2; die "pgbench exited with $rc"; }

  /usr/bin/python3 "$BENCH/analyze.py" scenario --name "$name" --title "$title" --log-prefix "$d/pgbench_log" \
    --window-start "$start" --window-end "$end" --latency-limit-ms "$LATENCY_LIMIT_MS" \
    --pgbench-output "$d/pgbench.out" --pgbench-exit "$rc" --migration-exit "$mig_rc" \
    --migration-output "$d/migration.out" --reader-output "$d/reader.out" --result-json "$d/result.json" \
    --out "$workdir/$name.json" || die "the analysis failed"
  if [ "$mig_rc" -ne 0 ] && [ ! -s "$d/result.json" ]; then
    echo "  migration output (last lines):"; tail -n 5 "$d/migration.out" | sed 's/^/    /'
  fi
  echo
  reset_schema
}

echo "Zero-downtime benchmark: tickets $ROWS rows; pgbench -R $RATE tps -c $CLIENTS -j $THREADS -T $DURATION -L $LATENCY_LIMIT_MS ms;"
echo "reader takes ACCESS SHARE at +${WARMUP} s, the migration starts ${MIGRATION_DELAY} s later (ALTER TABLE tickets ADD COLUMN priority int),"
echo "the reader commits ${READER_HOLD} s after the ALTER queued behind it"
echo
run_scenario plain "(a) plain alembic upgrade head (no lock_timeout)" \
  /usr/bin/alembic -c "$BENCH/migrations/alembic.ini" upgrade head
run_scenario dbmigrate "(b) dbmigrate-runner upgrade --lock-timeout $LOCK_TIMEOUT ${retry_args[*]:-(no --lock-retries)}" \
  java -jar "$JAR" upgrade --migrations "$BENCH/migrations" --target head --lock-timeout "$LOCK_TIMEOUT" "${retry_args[@]}"

/usr/bin/python3 "$BENCH/analyze.py" verdict --lock-timeout-ms "$LOCK_TIMEOUT_MS" \
  --plain "$workdir/plain.json" --dbmigrate "$workdir/dbmigrate.json" ${note:+--note "$note"} \
  || die "the verdict failed"
