#!/usr/bin/env bash
# Lock profile benchmark (issue 15, item 2): what the rehearsal's pg_locks sampler costs, and how the hold it measures
# compares with what an application on the same database saw.
#
# On a throwaway PostgreSQL 15 (started as scripts/test.sh starts one), a database with table big of BENCH_ROWS rows at
# revision l0001_base, one backup by the runner, then:
#   (a) BENCH_RUNS rounds, each timing `dbmigrate-runner rehearse` of l0002_widen (ALTER COLUMN n TYPE bigint: a
#       rewrite under ACCESS EXCLUSIVE) twice, in alternating order: with --lock-sample-interval 0 (no sampler) and
#       with the default (5ms). Prints each round's wall time (JVM start, restore, upgrade, drop) and the upgrade's own
#       time (the runner's "upgrade of the copy passed" millis, which the sampler runs beside), the medians and the
#       ratio sampler/no sampler of each (goal <= 1.05).
#   (b) one more rehearsal with the sampler while LockProbe (a JDBC client: single-row SELECT and UPDATE of big, one
#       after the other, each timed) runs on the copy from the moment Alembic's session connects until it is gone.
#       Prints the sampler's ACCESS EXCLUSIVE hold on public.big, the probe's longest statement and their ratio.
# The first rehearsal (a warm-up: page cache, the JIT of nothing, the archive read once) is not counted.
# Exit status 0, or 2 on a setup error. Knobs (environment): BENCH_ROWS (2000000), BENCH_RUNS (5).
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/common.sh

ROWS=${BENCH_ROWS:-2000000}
RUNS=${BENCH_RUNS:-5}
JAR=migrations-image/target/dbmigrate-runner.jar
JAVA_OPTS=(-XX:-UsePerfData -XX:+UseSerialGC -XX:MaxRAMPercentage=50)   # as the image's entrypoint runs it

die() { log "setup error: $*"; exit 2; }
now_ns() { date +%s%N; }

ensure_packages
use_debian_python
unset PGOPTIONS PGSERVICE PGSERVICEFILE

ensure_runner_jar || die "the runner jar did not build"
PGJDBC=$(ls ~/.m2/repository/org/postgresql/postgresql/*/postgresql-*.jar | grep -v sources | sort -V | tail -1)
[ -f "$PGJDBC" ] || die "no PostgreSQL JDBC driver in ~/.m2"

workdir=$(mktemp -d /tmp/dbmigrate-bench-locks.XXXXXX)
chmod 755 "$workdir"
trap 'stop_postgres; rm -rf "$workdir"' EXIT
start_postgres "$workdir/pg" "$(free_port 55800)"
export PGDATABASE=bench

# The project: the benchmark's env.py (one transaction, libpq's connection), a base and the rewrite on top of it.
mkdir -p "$workdir/m/versions"
cp scripts/bench/migrations/alembic.ini scripts/bench/migrations/env.py "$workdir/m/"
revision() {
  cat >"$workdir/m/versions/$1.py" <<PY
from alembic import op
revision = '$1'
down_revision = $2
branch_labels = None
depends_on = None


def upgrade():
    $3


def downgrade():
    pass
PY
}
revision l0001_base None "pass"
revision l0002_widen "'l0001_base'" "op.execute('ALTER TABLE big ALTER COLUMN n TYPE bigint')"

psql -q -v ON_ERROR_STOP=1 -d postgres -c "create database bench" || die "create database failed"
log "loading $ROWS rows"
psql -q -v ON_ERROR_STOP=1 <<SQL || die "loading the data failed"
create table alembic_version (version_num varchar(32) primary key);
insert into alembic_version values ('l0001_base');
create table big (id bigint primary key, n integer not null, note text);
insert into big select g, g % 1000, 'row ' || g from generate_series(1, $ROWS) g;
vacuum analyze big;
SQL
mkdir -p "$workdir/backups"
java "${JAVA_OPTS[@]}" -jar "$JAR" backup --dir "$workdir/backups" --name bench --label b1 --retain 1 \
  >"$workdir/backup.out" 2>"$workdir/backup.err" || { cat "$workdir/backup.err" >&2; die "the backup failed"; }

# rehearse INTERVAL: prints "WALL_MS UPGRADE_MS HOLD_MS" (HOLD_MS: the sampler's AccessExclusive on public.big, or -)
rehearse() {
  local t; t=$(now_ns)
  java "${JAVA_OPTS[@]}" -jar "$JAR" rehearse --dir "$workdir/backups" --name bench --label b1 \
    --migrations "$workdir/m" --target head --lock-sample-interval "$1" >"$workdir/r.out" 2>"$workdir/r.err" \
    || { cat "$workdir/r.out" "$workdir/r.err" >&2; die "the rehearsal failed"; }
  local wall=$(( ($(now_ns) - t) / 1000000 ))
  local upgrade hold
  upgrade=$(grep 'upgrade of the copy passed' "$workdir/r.err" | sed -n 's/.* millis=\([0-9]*\).*/\1/p')
  hold=$(grep 'rehearsal: lock hold' "$workdir/r.err" | grep 'relation=public.big ' | grep 'mode=AccessExclusive ' \
    | sed -n 's/.* holdMillis=\([0-9]*\).*/\1/p' | head -1)
  echo "$wall $upgrade ${hold:--}"
}

log "warm-up rehearsal (not counted)"
rehearse 5ms >/dev/null
: >"$workdir/off"; : >"$workdir/on"
printf '%-6s %-28s %-28s\n' round "off: wall ms / upgrade ms" "on (5ms): wall / upgrade / hold"
for round in $(seq 1 "$RUNS"); do
  if [ $((round % 2)) -eq 1 ]; then off=$(rehearse 0); on=$(rehearse 5ms); else on=$(rehearse 5ms); off=$(rehearse 0); fi
  echo "$off" >>"$workdir/off"; echo "$on" >>"$workdir/on"
  printf '%-6s %-28s %-28s\n' "$round" "$(echo "$off" | awk '{print $1 " / " $2}')" \
    "$(echo "$on" | awk '{print $1 " / " $2 " / " $3}')"
done
off_wall=$(awk '{print $1}' "$workdir/off" | median %.1f); on_wall=$(awk '{print $1}' "$workdir/on" | median %.1f)
off_up=$(awk '{print $2}' "$workdir/off" | median %.1f); on_up=$(awk '{print $2}' "$workdir/on" | median %.1f)
echo "median wall:    off $off_wall ms, on $on_wall ms, ratio $(awk -v a="$on_wall" -v b="$off_wall" 'BEGIN { printf "%.3f", a / b }') (goal <= 1.05)"
echo "median upgrade: off $off_up ms, on $on_up ms, ratio $(awk -v a="$on_up" -v b="$off_up" 'BEGIN { printf "%.3f", a / b }') (goal <= 1.05)"

log "(b) the sampler's hold against an application's longest statement"
java -cp "$PGJDBC" scripts/bench/LockProbe.java "$ROWS" >"$workdir/probe.out" 2>"$workdir/probe.err" &
probe=$!
measured=$(rehearse 5ms)
wait "$probe" || { cat "$workdir/probe.err" >&2; die "the probe failed"; }
hold=$(echo "$measured" | awk '{print $3}')
seen=$(sed -n 's/^longestMs=\([0-9-]*\).*/\1/p' "$workdir/probe.out")
echo "sampler: AccessExclusive on public.big held $hold ms (upgrade $(echo "$measured" | awk '{print $2}') ms)"
echo "application: longest statement $seen ms ($(cat "$workdir/probe.out"))"
echo "ratio measured/seen: $(awk -v a="$hold" -v b="$seen" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }')"
