#!/usr/bin/env bash
# Fleet benchmark (issue 14, item 5a): how long does `dbmigrate run -f set.yaml` take to migrate 200 tenant databases,
# against a sequential loop of what people do by hand, a plain `pg_dump -Fc` then `alembic upgrade` per database?
#
# On a throwaway PostgreSQL 15 (started as scripts/test.sh starts one: fsync off), BENCH_TENANTS databases made from
# one template: the crm schema (examples/crm) at BENCH_BASE and BENCH_CUSTOMERS customers, 5 tickets each and a message
# per ticket. Then, on the same databases (made anew from the template in between):
#   (a) the loop: for each tenant in turn, pg_dump -Fc -f FILE, then alembic upgrade BENCH_TARGET
#   (b) java -jar cli/target/dbmigrate.jar run -f set.yaml: a DatabaseMigrationSet of a list of the tenants, canary
#       BENCH_CANARY (no gate), maxParallel BENCH_PARALLEL, the template's backup Required: the normal local run, each
#       target backed up (pg_dump, sha256 and a full pg_restore read in one pass), its revision read and locked over
#       JDBC, then upgraded by Alembic, in one JVM
# Wall times from `date +%s%N`; prints both, the ratio (b)/(a) (goal <= 0.2), and where the time goes per target: for
# (a) pg_dump and alembic each; for (b), from each line's arrival time: the backup (from "backing up" to "upgrading"),
# the way to the first revision (the JDBC lock, the route, Alembic's start), the revisions, what follows them (to the
# result line), and the JVM's start before the first target. Both end with every database checked at the target
# revision. (b) counts its Python starts (DBMIGRATE_PYTHON, a wrapper that logs each). Both
# print the CPU time the whole machine spent while they ran (/proc/stat: keep it otherwise idle), split by who spent it
# (the database server: its postmaster's reaped backends; the tools: `times`), and the database sessions they opened
# (pg_stat_database, read before the check's own). The loop runs one thing at a time, the run is bound by CPU once
# maxParallel exceeds the cores; so the last lines give the run's CPU shared by the cores against the loop's wall time,
# the floor of the ratio for this run on this machine; the loop's own work (its CPU less a Python and a pg_wrapper
# start a tenant, both measured apart) shared by the cores, the floor for any run that does the same dumps and
# upgrades; then that work with a pg_restore read of each archive, the floor for one whose backups are verified.
# Exit status 0, or 2 on a setup error (or a database not migrated).
#
# Knobs (environment): BENCH_TENANTS (200), BENCH_CUSTOMERS (200), BENCH_PARALLEL (8), BENCH_CANARY (1),
# BENCH_BASE (mno345pqr678), BENCH_TARGET (expand@head, which is cde012fgh345); BENCH_KEEP=1 keeps the work folder
# (set.yaml, run.log: the run's output, each line led by its second).
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/common.sh

TENANTS=${BENCH_TENANTS:-200}
CUSTOMERS=${BENCH_CUSTOMERS:-200}
PARALLEL=${BENCH_PARALLEL:-8}
CANARY=${BENCH_CANARY:-1}
BASE=${BENCH_BASE:-mno345pqr678}
TARGET=${BENCH_TARGET:-expand@head}
CRM=$PWD/examples/crm
JAR=cli/target/dbmigrate.jar
PG_BIN=/usr/lib/postgresql/15/bin

die() { log "setup error: $*"; exit 2; }
now_ns() { date +%s%N; }
ms_since() { echo $(( ($(now_ns) - $1) / 1000000 )); }
# CPU time of the whole machine (every process: the tools, PostgreSQL's backends, the JVM), ms since boot.
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '/^cpu / { print int(($2 + $3 + $4 + $7 + $8 + $9) * 1000 / hz) }' /proc/stat; }
cpu_since() { echo $(( $(cpu_ms) - $1 )); }
# CPU of the database server: the postmaster and the backends it has reaped (one per session), ms.
server_cpu() {
  awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15 + $16 + $17) * 1000 / hz) }' \
    "/proc/$(head -1 "$workdir/pg/data/postmaster.pid")/stat"
}
# CPU of this shell's children that have ended (each with the descendants it waited for), ms. `times` must run in this
# shell, not in a subshell such as $(...): after `times >"$workdir/times"`, children_cpu reads what it wrote.
children_cpu() { sed -n 2p "$workdir/times" | times_ms; }
# The CPU of lines of `times` (user then system, as 0m0.123s), summed, ms.
times_ms() {
  awk '{ split($1, u, "m"); split($2, s, "m"); t += (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * 1000 } END { print int(t) }'
}
# Sessions opened on the tenant databases so far (PostgreSQL's own count; they are made anew before each run).
sessions() { psql -Atd postgres -c "select sum(sessions) from pg_stat_database where datname like 'tenant\\_%' and datname <> 'tenant_template'"; }
# Each line of stdin led by the seconds since $1 (ns since the epoch) at which it arrived.
stamp() {
  python3 -u -c '
import sys, time
start = int(sys.argv[1]) / 1e9
for line in sys.stdin:
    sys.stdout.write("%.3f %s" % (time.time() - start, line))' "$1"
}

ensure_packages
use_debian_python
unset PGOPTIONS PGSERVICE PGSERVICEFILE

if [ ! -f "$JAR" ] || [ -n "$(find cli/src/main operator/src/main migrations-image/src/main runner-contract/src/main \
    -newer "$JAR" -print -quit)" ]; then
  log "building the dbmigrate jar (mvn -pl cli -am package -DskipTests)"
  mvn -B -q -ntp -pl cli -am package -DskipTests || die "the dbmigrate jar did not build"
fi

workdir=$(mktemp -d /tmp/dbmigrate-bench-fleet.XXXXXX)
chmod 755 "$workdir"
trap 'stop_postgres; [ -n "${BENCH_KEEP:-}" ] || rm -rf "$workdir"' EXIT
start_postgres "$workdir/pg" "$(free_port 55900)"
tenant() { printf 'tenant_%03d' "$1"; }

log "making the template: crm at $BASE, $CUSTOMERS customers, $(( CUSTOMERS * 5 )) tickets and as many messages"
psql -q -v ON_ERROR_STOP=1 -d postgres -c "create database tenant_template" || die "create database failed"
(cd "$CRM" && PGDATABASE=tenant_template alembic -c alembic.ini upgrade "$BASE" >"$workdir/template.log" 2>&1) \
  || { cat "$workdir/template.log" >&2; die "alembic upgrade $BASE on the template failed"; }
psql -q -v ON_ERROR_STOP=1 -d tenant_template <<SQL || die "loading the rows failed"
insert into customers (email, name) select 'c' || i || '@example.com', 'Customer ' || i from generate_series(1, $CUSTOMERS) i;
insert into tickets (customer_id, subject, status)
select c.id, 'ticket ' || g || ' of ' || c.name, (array['new', 'open', 'pending', 'closed'])[1 + g % 4]
from customers c, generate_series(1, 5) g;
insert into messages (customer_id, ticket_id, body)
select customer_id, id, 'Hello, about ' || subject || ': ' || md5(id::text) from tickets;
vacuum analyze;
SQL

# Every tenant made anew from the template: the state both runs start from.
reset_tenants() {
  local i
  for i in $(seq 1 "$TENANTS"); do
    psql -q -d postgres -c "set client_min_messages = warning" -c "drop database if exists $(tenant "$i")" -c "create database $(tenant "$i") template tenant_template" \
      || die "making $(tenant "$i") failed"
  done
}
# Every tenant at the target revision, or exit 2.
check_tenants() {
  local i want got
  want=$(cd "$CRM" && PGDATABASE=tenant_template alembic -c alembic.ini show "$TARGET" 2>/dev/null | sed -n 's/^Rev: \([0-9a-z]*\).*/\1/p')
  for i in $(seq 1 "$TENANTS"); do
    got=$(psql -Atd "$(tenant "$i")" -c "select string_agg(version_num, ',') from alembic_version")
    [ "$got" = "$want" ] || die "$(tenant "$i") is at '$got' after $1, not $want"
  done
  echo "$want"
}

log "making $TENANTS tenant databases"
reset_tenants
db_bytes=$(psql -Atd "$(tenant 1)" -c "select pg_database_size(current_database())")
echo "fleet benchmark: $TENANTS tenants of $db_bytes bytes each (crm at $BASE, $CUSTOMERS customers), to $TARGET;" \
  "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the runs"
echo "pg_dump: $(pg_dump --version); alembic: $(alembic --version 2>&1); $(java -version 2>&1 | head -1)"
t=$(now_ns)
times >"$workdir/times"; c=$(children_cpu)
for i in 1 2 3 4 5; do
  python3 -c 'import alembic.command, sqlalchemy, psycopg2' || die "python3 cannot import alembic, sqlalchemy, psycopg2"
done
times >"$workdir/times"; py_start_cpu=$(( ($(children_cpu) - c) / 5 ))
echo "one Python start importing alembic, sqlalchemy and psycopg2: $(( $(ms_since "$t") / 5 )) ms," \
  "$py_start_cpu ms of CPU (mean of 5; the loop starts one per tenant)"
# On Debian the pg_dump on PATH is pg_wrapper, a Perl script that picks the cluster's version then runs the real one.
# The loop pays its start with each dump, as one does by hand; dbmigrate runs the real one. Measured apart, as above.
wrapper_cpu=0
if [ "$(readlink -f "$(command -v pg_dump)")" = /usr/share/postgresql-common/pg_wrapper ]; then
  times >"$workdir/times"; c=$(children_cpu)
  for i in 1 2 3 4 5; do pg_dump --version >/dev/null; done
  times >"$workdir/times"; c2=$(children_cpu)
  for i in 1 2 3 4 5; do "$PG_BIN/pg_dump" --version >/dev/null; done
  times >"$workdir/times"; wrapper_cpu=$(( (c2 - c - ($(children_cpu) - c2)) / 5 ))
  echo "pg_dump on PATH is pg_wrapper: its Perl start takes $wrapper_cpu ms of CPU" \
    "(mean of 5; the loop pays it a tenant)"
fi

# (a) the loop
mkdir -p "$workdir/plain"
dump_ms=0
alembic_ms=0
dump_cpu=0
alembic_cpu=0
server=$(server_cpu)
cpu=$(cpu_ms)
started=$(now_ns)
for i in $(seq 1 "$TENANTS"); do
  t=$(now_ns)
  times >"$workdir/times"; c=$(children_cpu)
  pg_dump -Fc --no-password -d "$(tenant "$i")" -f "$workdir/plain/$(tenant "$i").dump" || die "pg_dump of $(tenant "$i") failed"
  times >"$workdir/times"; dump_cpu=$(( dump_cpu + $(children_cpu) - c ))
  dump_ms=$(( dump_ms + $(ms_since "$t") ))
  t=$(now_ns)
  times >"$workdir/times"; c=$(children_cpu)
  (cd "$CRM" && PGDATABASE=$(tenant "$i") alembic -c alembic.ini upgrade "$TARGET" >"$workdir/plain.log" 2>&1) \
    || { cat "$workdir/plain.log" >&2; die "alembic upgrade of $(tenant "$i") failed"; }
  times >"$workdir/times"; alembic_cpu=$(( alembic_cpu + $(children_cpu) - c ))
  alembic_ms=$(( alembic_ms + $(ms_since "$t") ))
done
loop_ms=$(ms_since "$started")
loop_cpu=$(cpu_since "$cpu")
loop_server=$(( $(server_cpu) - server ))
loop_sessions=$(sessions)
revision=$(check_tenants "the loop")
echo "(a) loop: $loop_ms ms; per tenant: pg_dump $(( dump_ms / TENANTS )) ms, alembic upgrade $(( alembic_ms / TENANTS )) ms;" \
  "CPU of the machine $loop_cpu ms ($(( loop_cpu / TENANTS )) ms a tenant); $loop_sessions database sessions"
echo "    CPU a tenant, ms: the database server $(( loop_server / TENANTS )), pg_dump $(( dump_cpu / TENANTS ))," \
  "alembic $(( alembic_cpu / TENANTS )) (its Python start about $py_start_cpu of it)"

log "making the $TENANTS tenant databases anew"
reset_tenants

# (b) dbmigrate run -f set.yaml
{
  cat <<YAML
apiVersion: dbmigrate.io/v1alpha1
kind: DatabaseMigrationSet
metadata: {name: fleet}
spec:
  template:
    migrations: {image: registry.example.com/crm-migrations:1.0.0}
    targetRevision: $TARGET
    backup: {mode: Required, volume: {persistentVolumeClaim: {claimName: crm-backups}}}
  generators:
  - list:
YAML
  for i in $(seq 1 "$TENANTS"); do
    echo "    - {name: t$(printf '%03d' "$i"), database: {host: $PGHOST, port: $PGPORT, name: $(tenant "$i"), credentialsSecret: {name: tenant-db}}}"
  done
  if [ "$CANARY" -gt 0 ]; then
    echo "  rollout: {canary: {count: $CANARY}, maxParallel: $PARALLEL}"
  else
    echo "  rollout: {maxParallel: $PARALLEL}"
  fi
} >"$workdir/set.yaml"
# Every Python start of the run counted, and its CPU: DBMIGRATE_PYTHON is a wrapper that logs one line, runs Debian's
# python3, then logs the CPU it used with that of the children it forked (the fork server's, one per program). The
# runner does not wait for its fork server, which ends when the runner's pipe does: its CPU is not in `times` below.
cat >"$workdir/python" <<SH
#!/bin/bash
echo start >>"$workdir/python-starts.log"
$(command -v python3) "\$@"
code=\$?
times >"$workdir/python-times.\$\$"
tail -1 "$workdir/python-times.\$\$" >>"$workdir/python-cpu.log"
exit \$code
SH
chmod 755 "$workdir/python"
: >"$workdir/python-starts.log"
: >"$workdir/python-cpu.log"
server=$(server_cpu)
times >"$workdir/times"; c=$(children_cpu)
cpu=$(cpu_ms)
started=$(now_ns)
set +e
DBMIGRATE_PYTHON="$workdir/python" java -jar "$JAR" run -f "$workdir/set.yaml" --migrations "$CRM" --backup-dir "$workdir/backups" 2>&1 \
  | stamp "$started" >"$workdir/run.log"
code=${PIPESTATUS[0]}
set -e
run_ms=$(ms_since "$started")
times >"$workdir/times"; run_own_cpu=$(( $(children_cpu) - c ))
run_server=$(( $(server_cpu) - server ))
run_cpu=$(cpu_since "$cpu")
run_sessions=$(sessions)
[ "$code" -eq 0 ] || { tail -40 "$workdir/run.log" >&2; die "dbmigrate run exited $code"; }
check_tenants "dbmigrate run" >/dev/null
backups=$(find "$workdir/backups" -name '*.dump' | wc -l)
[ "$backups" -eq "$TENANTS" ] || die "$backups backups, not $TENANTS"
echo "(b) dbmigrate run -f set.yaml (maxParallel $PARALLEL, canary $CANARY, a verified backup each: $backups): $run_ms ms"
echo "    Python started $(wc -l <"$workdir/python-starts.log") times for $TENANTS targets;" \
  "CPU of the machine $run_cpu ms ($(( run_cpu / TENANTS )) ms a target); $run_sessions database sessions"
for i in $(seq 1 50); do  # the fork server ends a moment after the runner
  [ "$(wc -l <"$workdir/python-cpu.log")" -ge "$(wc -l <"$workdir/python-starts.log")" ] && break
  sleep 0.2
done
python_cpu=$(times_ms <"$workdir/python-cpu.log")
echo "    CPU a target, ms: the database server $(( run_server / TENANTS )), the JVM with the pg_dump and pg_restore" \
  "it ran (and the line stamper) $(( run_own_cpu / TENANTS )), Python (the fork server and its children)" \
  "$(( python_cpu / TENANTS ))"
grep -A3 '^[0-9.]* Succeeded: ' "$workdir/run.log" | sed 's/^[0-9.]* /    /'
python3 - "$workdir/run.log" <<'PY'
import re, statistics, sys
backup, upgrade, first, last, end = {}, {}, {}, {}, {}
start_of_first = None
for line in open(sys.argv[1]):
    at, _, text = line.partition(" ")
    at = float(at)
    m = re.match(r"\[(t\d+)\] dbmigrate: (backing up|upgrading|applying)", text)
    if m:
        target, what = m.groups()
        if what == "backing up":
            backup.setdefault(target, at)
            start_of_first = at if start_of_first is None else start_of_first
        elif what == "upgrading":
            upgrade.setdefault(target, at)
        else:
            first.setdefault(target, at)
            last[target] = at
        continue
    m = re.match(r"(t\d+): Succeeded, ", text)
    if m:
        end[m.group(1)] = at
done = [t for t in end if t in backup and t in upgrade and t in first]
def mean(a, b):
    return statistics.mean([b[t] - a[t] for t in done]) * 1000 if done else float("nan")
parts = [("backup (pg_dump, sha256, pg_restore read)", mean(backup, upgrade)),
         ("to the first revision (JDBC lock, the route, Alembic's start)", mean(upgrade, first)),
         ("the revisions", mean(first, last)),
         ("after (the revisions read back, status)", mean(last, end))]
print("    per target, mean of %d, ms: %s; total %.0f" % (len(done), ", ".join("%s %.0f" % p for p in parts),
                                                           sum(p[1] for p in parts)))
print("    before the first target: %.0f ms (JVM start, manifest, the revision graph read by one Alembic run)"
      % ((start_of_first or 0) * 1000))
PY
work=$(( loop_server + dump_cpu + alembic_cpu - TENANTS * (py_start_cpu + wrapper_cpu) ))
# The least a verified backup adds to a plain dump: a full pg_restore read of the archive, here of those the run wrote.
times >"$workdir/times"; c=$(children_cpu)
while IFS= read -r -d '' archive; do
  "$PG_BIN/pg_restore" -f /dev/null "$archive" || die "pg_restore cannot read $archive"
done < <(find "$workdir/backups" -name '*.dump' -print0)
times >"$workdir/times"; read_cpu=$(( $(children_cpu) - c ))
awk -v a="$loop_ms" -v b="$run_ms" -v ca="$loop_cpu" -v cb="$run_cpu" -v cores="$(nproc)" -v work="$work" \
  -v n="$TENANTS" -v read="$read_cpu" 'BEGIN {
  printf "ratio dbmigrate/loop: %.3f (goal <= 0.2)\n", b / a
  # The loop runs one thing at a time; the run is bound by CPU once maxParallel exceeds the cores: its wall time
  # cannot be under its CPU time shared by the cores.
  printf "CPU ratio dbmigrate/loop: %.3f; the run'"'"'s CPU over %d cores is %.0f ms, %.3f of the loop'"'"'s" \
    " wall time\n", cb / ca, cores, cb / cores, cb / cores / a
  # What any run must do is what the loop did, less the starts a run avoids (it forks its Python programs from one,
  # and runs the real pg_dump). Shared by the cores, it bounds the ratio from below on this machine, for any tool that
  # dumps and migrates the same databases, before any verification.
  printf "the loop'"'"'s work without its %d Python and pg_wrapper starts (%.0f ms of CPU a tenant) over %d cores" \
    " is %.0f ms, %.3f of the loop'"'"'s wall time: no run doing the same dumps and upgrades goes under it here\n",
    n, work / n, cores, work / cores, work / cores / a
  printf "with a full pg_restore read of each backup (%.0f ms of CPU a tenant), the least a verified backup adds:" \
    " %.3f\n", read / n, (work + read) / cores / a }'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); every tenant at $revision after each run"
