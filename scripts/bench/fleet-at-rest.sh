#!/usr/bin/env bash
# Fleet at rest benchmark (issue 14, item 5b): with 1,000 DatabaseMigrations that have nothing left to do, how much heap
# does the operator hold (goal <= 256 MiB after a full GC), and how many API requests a minute does it send (goal 0)?
#
# No real API server: the fabric8 mock API server in CRUD mode, as the tests use it, in a harness that counts every
# HTTP request the operator sends (operator/src/test/java/io/dbmigrate/testing/FleetAtRestBench.java, a test-scope
# main run only by this script). The harness makes the fleet through the API as users would (each database with its
# Secret): BENCH_STANDALONE DatabaseMigrations, and BENCH_SETS DatabaseMigrationSets of BENCH_TARGETS targets each (half
# with a list generator, half with a secrets generator; canary 1, maxParallel 25), 1,000 DatabaseMigrations with the
# defaults. An in-process operator migrates them (the harness plays the Job controller and the kubelet: each Job's pod
# ends with the runner's backup and upgrade results, the Job Complete) until every DatabaseMigration and set is
# Succeeded with observedGeneration = generation; that operator stops. Then the packaged operator starts on the fleet
# at rest, as the chart runs it: `java -jar cli/target/dbmigrate.jar operator --leader-election` with the chart's
# jvmOptions in JAVA_TOOL_OPTIONS and -XX:MaxRAM=512m for its memory limit. Printed:
#   - the initial sync: every request from the launch until BENCH_QUIET seconds pass with none but the Lease's;
#   - the heap then: live objects after a full GC (jcmd GC.class_histogram runs one), GC.heap_info, the RSS;
#   - BENCH_WINDOW seconds at rest: requests per minute, the Lease's (leader election's renewals) apart, by kind
#     ("GET secrets get", "GET jobs watch": a watch counts once, when it opens), and minute by minute;
#   - the heap again, and how many DatabaseMigrations and sets were written (resourceVersion changed) meanwhile.
# The window is 6 minutes by default so that it spans the 5-minute maxReconciliationInterval (OperatorRuntime).
# Not part of scripts/test.sh. Exit status 0, or 2 on a setup error.
#
# Knobs (environment): BENCH_STANDALONE (500), BENCH_SETS (4), BENCH_TARGETS (125), BENCH_WINDOW (360 s),
# BENCH_QUIET (30 s), BENCH_JVM (the JAVA_TOOL_OPTIONS of the operator: "-XX:MaxRAM=512m -XX:MaxRAMPercentage=75.0
# -XX:+ExitOnOutOfMemoryError"), BENCH_OFFLINE=1 to build with mvn -o.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/common.sh

die() { log "setup error: $*"; exit 2; }

for tool in mvn java jcmd; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (scripts/test.sh installs maven and openjdk-17-jdk-headless)"
done

offline=(); [ "${BENCH_OFFLINE:-}" != 1 ] || offline=(-o)
log "building the operator jar and the harness (mvn -pl cli -am package -DskipTests)"
# In the reactor, so that the classpath names this worktree's module jars, not whatever ~/.m2 holds.
mvn -B -q -ntp "${offline[@]}" -pl cli -am -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test || die "the build failed"

workdir=$(mktemp -d /tmp/dbmigrate-bench-fleet.XXXXXX)
trap 'rm -rf "$workdir"' EXIT

echo "fleet at rest benchmark: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before; $(java -version 2>&1 | head -1)"
java -Dbench.standalone="${BENCH_STANDALONE:-500}" -Dbench.sets="${BENCH_SETS:-4}" -Dbench.targets="${BENCH_TARGETS:-125}" \
  -Dbench.window="${BENCH_WINDOW:-360}" -Dbench.quiet="${BENCH_QUIET:-30}" \
  -Dbench.jvm="${BENCH_JVM:--XX:MaxRAM=512m -XX:MaxRAMPercentage=75.0 -XX:+ExitOnOutOfMemoryError}" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "operator/target/test-classes:operator/target/classes:$(cat operator/target/test-classpath.txt)" \
  io.dbmigrate.testing.FleetAtRestBench cli/target/dbmigrate.jar "$workdir" \
  || { tail -n 40 "$workdir/operator.log" >&2 2>/dev/null || true; die "the benchmark did not finish"; }
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
