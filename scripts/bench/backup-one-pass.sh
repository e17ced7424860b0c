#!/usr/bin/env bash
# Backup benchmark (issue 14, item 5c): how much longer than a plain `pg_dump -Fc -f FILE` does the runner's backup
# take, now that the archive is written, hashed (SHA-256) and read back in full by pg_restore in one pass?
#
# On a throwaway PostgreSQL 15 (started as scripts/test.sh starts one), a database of BENCH_ROWS rows of some text
# (about 400 MB on disk with the default), then BENCH_RUNS rounds, each timing, one after the other:
#   (a) pg_dump -Fc --no-password -f FILE                 (the yardstick; it syncs FILE before it exits)
#   (b) java -jar dbmigrate-runner.jar backup --dir DIR ...  as the image's entrypoint runs it
#       (migrations-image/docker/dbmigrate-runner): under SCHED_BATCH (chrt), with its JVM options and a class-data
#       archive made as the image's build makes it
#       (migrations-image/docker/train-class-data: one backup of a small database with -XX:ArchiveClassesAtExit):
#       JVM start, the JDBC revision read and lock, the one-pass dump + sha256 + pg_restore -f /dev/null, the sync,
#       the rename and the metadata
#   (c) with BENCH_OLD_JAR=path: the same backup by another runner jar (e.g. one built before the one-pass change)
# after one warm-up round that is not counted. Wall times from `date +%s%N`; prints every round, the medians and the
# ratios to (a) (medians of the per-round ratios: a round's runs see the same machine). "in-runner" is the runner's own
# time from its `starting` to its `backup written` log line: the whole process less the JVM's start, the parsing of its
# command line (while which its connection already opens) and its exit.
# Exit status 0, or 2 on a setup error.
#
# Knobs (environment): BENCH_ROWS (1400000), BENCH_RUNS (5); BENCH_CLASS_DATA=0 runs (b) without the class-data
# archive, as an image built without it would; BENCH_BATCH=0 runs (b) under the default scheduling policy;
# BENCH_COMPRESSION_DUMP (pg_dump's -Z, e.g. 0) and BENCH_COMPRESSION_RUNNER (the runner's --compression, e.g. none)
# to compare another compression (default: gzip).
# BENCH_OLD_JAR (unset): a second runner jar to time as (c), e.g. one built from before the one-pass change; it gets
# --compression too when BENCH_COMPRESSION_RUNNER is set, which a runner older than that option refuses.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/common.sh

ROWS=${BENCH_ROWS:-1400000}
RUNS=${BENCH_RUNS:-5}
DUMP_Z=${BENCH_COMPRESSION_DUMP:-}
RUNNER_Z=${BENCH_COMPRESSION_RUNNER:-}
JAR=migrations-image/target/dbmigrate-runner.jar
OLD_JAR=${BENCH_OLD_JAR:-}
JAVA_OPTS=(-XX:-UsePerfData -XX:+UseSerialGC -XX:MaxRAMPercentage=50)   # as the image's entrypoint runs it
CLASS_DATA=${BENCH_CLASS_DATA:-1}
BATCH=()   # the entrypoint's SCHED_BATCH, for (b) only: (c) runs as the old image did
[ "${BENCH_BATCH:-1}" = 0 ] || BATCH=(chrt --batch 0)

die() { log "setup error: $*"; exit 2; }
now_ns() { date +%s%N; }
ms_since() { echo $(( ($(now_ns) - $1) / 1000000 )); }

ensure_packages
use_debian_python
unset PGOPTIONS PGSERVICE PGSERVICEFILE

ensure_runner_jar || die "the runner jar did not build"

workdir=$(mktemp -d /tmp/dbmigrate-bench-backup.XXXXXX)
chmod 755 "$workdir"
trap 'stop_postgres; rm -rf "$workdir"' EXIT
start_postgres "$workdir/pg" "$(free_port 55700)"
export PGDATABASE=bench

psql -q -v ON_ERROR_STOP=1 -d postgres -c "create database bench" || die "create database failed"
log "loading $ROWS rows"
started=$(now_ns)
# md5 text compresses about as well as real text does (2-3 x with gzip); repeat() would flatter compression.
psql -q -v ON_ERROR_STOP=1 <<SQL || die "loading the data failed"
create table alembic_version (version_num varchar(32) primary key);
insert into alembic_version values ('0001_bench');
create table customers (id bigint primary key, name text not null, email text not null, notes text, created timestamptz);
insert into customers
select i, 'customer ' || i, 'c' || i || '@example.com',
       md5(i::text) || ' ' || md5((i * 7)::text) || ' note ' || (i % 1000) || ' ' || md5((i * 13)::text)
         || ' ' || md5((i * 31)::text) || ' ' || md5((i * 37)::text),
       timestamptz '2024-01-01' + i * interval '1 second'
from generate_series(1, $ROWS) i;
vacuum analyze customers;
SQL
db_bytes=$(psql -Atc "select pg_database_size(current_database())")
log "loaded in $(ms_since "$started") ms"

# The class-data archive for (b), as the image's build makes it (a backup of a small database); (c) gets none.
new_opts=()
if [ "$CLASS_DATA" != 0 ]; then
  psql -q -v ON_ERROR_STOP=1 -d postgres -c "create database training" || die "create database training failed"
  psql -q -v ON_ERROR_STOP=1 -d training -c "create table alembic_version (version_num varchar(32) primary key)" \
    -c "insert into alembic_version values ('training')" || die "the training database failed"
  mkdir -p "$workdir/training"
  PGDATABASE=training java "${JAVA_OPTS[@]}" -XX:ArchiveClassesAtExit="$workdir/runner.jsa" -jar "$JAR" backup \
    --dir "$workdir/training" --name class-data --label training --retain 1 >/dev/null 2>"$workdir/training.err" \
    || { cat "$workdir/training.err" >&2; die "the class-data training backup failed"; }
  new_opts=(-XX:SharedArchiveFile="$workdir/runner.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off)
fi

dump_args=(-Fc --no-password)
[ -z "$DUMP_Z" ] || dump_args+=(-Z "$DUMP_Z")
runner_args=(--name bench --label b1 --retain 1)
[ -z "$RUNNER_Z" ] || runner_args+=(--compression "$RUNNER_Z")
mkdir -p "$workdir/backups" "$workdir/old-backups"

plain() {
  rm -f "$workdir/plain.dump"
  local t; t=$(now_ns)
  pg_dump "${dump_args[@]}" -f "$workdir/plain.dump" || die "pg_dump failed"
  ms_since "$t"
}
# runner JAR DIR BATCH [JVM OPTION...]: prints "WALL_MS IN_RUNNER_MS"; BATCH=1 runs it under ${BATCH[@]}
runner() {
  local jar=$1 dir=$2 launch=() t; shift 2
  [ "$1" = 1 ] && launch=(${BATCH[@]+"${BATCH[@]}"}); shift
  t=$(now_ns)
  ${launch[@]+"${launch[@]}"} java "${JAVA_OPTS[@]}" "$@" -jar "$jar" backup --dir "$dir" "${runner_args[@]}" \
    >"$workdir/runner.out" 2>"$workdir/runner.err" \
    || { cat "$workdir/runner.out" "$workdir/runner.err" >&2; die "the runner's backup failed"; }
  local wall; wall=$(ms_since "$t")
  local from to
  from=$(sed -n 's/^time=\([^ ]*\) level=info msg=starting .*/\1/p' "$workdir/runner.err")
  to=$(sed -n 's/^time=\([^ ]*\) level=info msg="backup written".*/\1/p' "$workdir/runner.err")
  echo "$wall $(( ($(date -d "$to" +%s%3N) - $(date -d "$from" +%s%3N)) ))"
}

echo "backup benchmark: database of $ROWS rows, $db_bytes bytes on disk ($(( db_bytes / 1048576 )) MiB);" \
  "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the runs"
echo "pg_dump: $(pg_dump --version); compression: ${DUMP_Z:-default} (pg_dump), ${RUNNER_Z:-default} (runner);" \
  "class-data archive: $([ "$CLASS_DATA" != 0 ] && echo "yes ($(stat -c %s "$workdir/runner.jsa") bytes)" || echo no);" \
  "SCHED_BATCH: $([ ${#BATCH[@]} -gt 0 ] && echo yes || echo no)"
plain >/dev/null
runner "$JAR" "$workdir/backups" 1 ${new_opts[@]+"${new_opts[@]}"} >/dev/null
[ -z "$OLD_JAR" ] || runner "$OLD_JAR" "$workdir/old-backups" 0 >/dev/null
echo "warm-up done: plain archive $(stat -c %s "$workdir/plain.dump") bytes," \
  "runner archive $(stat -c %s "$workdir"/backups/bench_*.dump) bytes"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b / a }'; }
printf '%-6s %11s %11s %10s %7s %8s' round "pg_dump ms" "runner ms" "in-runner" ratio "in-ratio"
[ -z "$OLD_JAR" ] && echo || printf ' %11s %7s\n' "old ms" "ratio"
cols=()
for i in $(seq 1 "$RUNS"); do
  a=$(plain)
  read -r b bin < <(runner "$JAR" "$workdir/backups" 1 ${new_opts[@]+"${new_opts[@]}"})
  line=$(printf '%-6s %11s %11s %10s %7s %8s' "$i" "$a" "$b" "$bin" "$(ratio "$a" "$b")" "$(ratio "$a" "$bin")")
  row="$a $b $bin $(ratio "$a" "$b") $(ratio "$a" "$bin")"
  if [ -n "$OLD_JAR" ]; then
    read -r c _ < <(runner "$OLD_JAR" "$workdir/old-backups" 0)
    line="$line $(printf ' %11s %7s' "$c" "$(ratio "$a" "$c")")"
    row="$row $c $(ratio "$a" "$c")"
  fi
  echo "$line"
  cols+=("$row")
done
col_median() { printf '%s\n' "${cols[@]}" | awk -v c="$1" '{ print $c }' | median; }
grep -q '"verified" *: *true' "$workdir"/backups/bench_*.dump.json || die "the runner's metadata does not say verified"
sha_file=$(sha256sum "$workdir"/backups/bench_*.dump | cut -d' ' -f1)
grep -q "$sha_file" "$workdir"/backups/bench_*.dump.json || die "the metadata's sha256 is not the file's"
echo "median: pg_dump $(col_median 1) ms, runner $(col_median 2) ms (in-runner $(col_median 3) ms);" \
  "ratio runner/pg_dump $(col_median 4), in-runner/pg_dump $(col_median 5) (goal <= 1.05)"
[ -z "$OLD_JAR" ] || echo "median: old runner $(col_median 6) ms, ratio old/pg_dump $(col_median 7)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); the runner's sha256 matches its file ($sha_file)"
