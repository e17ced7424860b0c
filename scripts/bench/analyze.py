#!/usr/bin/python3
"""Analysis of scripts/bench-zero-downtime.sh (stdlib only; run it with /usr/bin/python3).

  analyze.py scenario --name N --title T --log-prefix P --window-start MS --window-end MS
                      --latency-limit-ms L --pgbench-output F --pgbench-exit N
                      --migration-exit N --migration-output F [--reader-output F]
                      [--result-json F] --out F.json
      reads pgbench's per-transaction logs (P.<pid>, P.<pid>.<thread>), prints the scenario's
      figures and writes them to F.json.
  analyze.py verdict --lock-timeout-ms T --plain A.json --dbmigrate B.json [--note TEXT]
      prints the target checks as PASS/FAIL lines and the ratio of the two max latencies.

pgbench 15 per-transaction log line, with --rate (the format `man pgbench` documents):
  client_id transaction_no time script_no time_epoch time_us schedule_lag [retries]
`time` is the latency in microseconds measured from the transaction's *scheduled* start (so it
includes schedule_lag: what a client of an open-loop application would see); time_epoch.time_us is
the completion time. `time` is the word `skipped` for a transaction that was already later than
--latency-limit before it started (logged when its client got free again, schedule_lag 0), and
`failed` (with --failures-detailed: `serialization` or `deadlock`) for one that failed. Any other
SQL error is not a "failed transaction" in pgbench 15: it aborts the client (stderr
"client N script M aborted ...", exit status 2) and the transaction is not logged; each aborted
client is counted here as one failed application transaction.

Exit status: 0, or 2 on a setup error (missing or unreadable logs); never on a missed target.
"""
import argparse
import glob
import json
import math
import os
import re
import sys

FAILED_MARKERS = {"failed", "serialization", "deadlock"}


def setup_error(message):
    print(f"analyze.py: setup error: {message}", file=sys.stderr)
    sys.exit(2)


def percentile(sorted_values, p):
    """Nearest-rank percentile of an ascending list (None when empty)."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(p / 100.0 * len(sorted_values)))
    return sorted_values[rank - 1]


def read_transactions(prefix):
    """(completed, skipped, failed): completed = [(start_ms, end_ms, latency_ms)], the others = [end_ms]."""
    files = sorted(f for f in glob.glob(glob.escape(prefix) + ".*") if re.search(r"\.\d+(\.\d+)?$", f))
    if not files:
        setup_error(f"no pgbench log files {prefix}.*")
    completed, skipped, failed = [], [], []
    for path in files:
        with open(path, encoding="ascii") as f:
            for number, line in enumerate(f, 1):
                fields = line.split()
                if len(fields) < 7:
                    setup_error(f"{path}:{number}: expected at least 7 fields with --rate, got {line!r}")
                end_ms = int(fields[4]) * 1000.0 + int(fields[5]) / 1000.0
                if fields[2] == "skipped":
                    skipped.append(end_ms)
                elif fields[2] in FAILED_MARKERS:
                    failed.append(end_ms)
                else:
                    latency_ms = int(fields[2]) / 1000.0
                    completed.append((end_ms - latency_ms, end_ms, latency_ms))
    return files, completed, skipped, failed


def read_pgbench_output(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    aborted = len(re.findall(r"client \d+ script \d+ aborted", text))
    summary = {}
    for key, pattern in (
        ("processed", r"number of transactions actually processed: (\d+)"),
        ("failed", r"number of failed transactions: (\d+)"),
        ("skipped", r"number of transactions skipped: (\d+)"),
        ("late", r"number of transactions above the [\d.]+ ms latency limit: (\d+)"),
    ):
        m = re.search(pattern, text)
        summary[key] = int(m.group(1)) if m else None
    return aborted, summary, text


def read_key_values(path):
    values = {}
    if path and os.path.exists(path):
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = re.match(r"\s*(\w+_ms)=(\d+)\s*$", line)
                if m:
                    values[m.group(1)] = int(m.group(2))
    return values


def alter_requests(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return [int(m) for m in re.findall(r"bench: ALTER TABLE requested at_ms=(\d+)", f.read())]


def fmt_ms(value):
    return "-" if value is None else f"{value:.1f} ms"


def scenario(args):
    files, completed, skipped, failed = read_transactions(args.log_prefix)
    aborted, summary, pgbench_text = read_pgbench_output(args.pgbench_output)
    ws, we, limit = args.window_start, args.window_end, args.latency_limit_ms

    # In flight during the window: the transaction's [scheduled start, completion] overlaps it.
    in_window = sorted(lat for start, end, lat in completed if start <= we and end >= ws)
    # A skipped transaction is logged when its client becomes free again, which is after the stall
    # that made it late; those of a stall in the window are logged in [ws, we + latency limit].
    skipped_window = sum(1 for t in skipped if ws <= t <= we + limit)
    failed_window = sum(1 for t in failed if ws <= t <= we + limit)
    late_window = sum(1 for lat in in_window if lat > limit)
    all_latencies = sorted(lat for _, _, lat in completed)
    last_end = max((end for _, end, _ in completed), default=None)

    warnings = []
    if summary["processed"] is not None and summary["processed"] != len(completed):
        warnings.append(f"pgbench reports {summary['processed']} processed transactions, its logs {len(completed)}")
    if summary["skipped"] is not None and summary["skipped"] != len(skipped):
        warnings.append(f"pgbench reports {summary['skipped']} skipped transactions, its logs {len(skipped)}")
    if last_end is None or last_end < we:
        warnings.append("the load ended before the migration did: the window is not fully covered")
    if args.pgbench_exit not in (0, 2):
        warnings.append(f"pgbench exited with {args.pgbench_exit}")

    reader = read_key_values(args.reader_output)
    alters = alter_requests(args.migration_output)
    result = {}
    if args.result_json and os.path.exists(args.result_json):
        try:
            with open(args.result_json, encoding="utf-8") as f:
                result = json.load(f)
        except ValueError as e:
            warnings.append(f"unreadable runner result {args.result_json}: {e}")

    release = reader.get("reader_release_ms")
    if not alters:
        warnings.append("the migration never sent its ALTER (no 'bench: ALTER TABLE requested' line)")
    elif release and alters[0] >= release:
        warnings.append("the ALTER was sent after the reader had released tickets: no lock queueing was measured")
    if "ddl_queued_ms" not in reader:
        warnings.append("the reader never saw an ACCESS EXCLUSIVE request queue behind it")

    data = {
        "name": args.name,
        "title": args.title,
        "window_start_ms": ws,
        "window_end_ms": we,
        "migration_ms": we - ws,
        "migration_exit": args.migration_exit,
        "migration_reason": result.get("reason"),
        "migration_message": result.get("message"),
        "alter_requests_ms": alters,
        "reader_acquired_ms": reader.get("reader_acquired_ms"),
        "ddl_queued_ms": reader.get("ddl_queued_ms"),
        "reader_release_ms": reader.get("reader_release_ms"),
        "latency_limit_ms": limit,
        "window_transactions": len(in_window),
        "window_max_ms": in_window[-1] if in_window else None,
        "window_p99_ms": percentile(in_window, 99),
        "window_failed": failed_window,
        "window_skipped": skipped_window,
        "window_late": late_window,
        "total_transactions": len(completed),
        "total_max_ms": all_latencies[-1] if all_latencies else None,
        "total_p99_ms": percentile(all_latencies, 99),
        "total_failed": len(failed),
        "total_skipped": len(skipped),
        "clients_aborted": aborted,
        "pgbench_exit": args.pgbench_exit,
        "log_files": len(files),
        "warnings": warnings,
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2)

    reason = f" {data['migration_reason']}" if data["migration_reason"] else ""
    print(f"== {args.title} ==")
    print(f"  migration: exit {args.migration_exit}{reason}, {data['migration_ms']} ms "
          f"(window = migration start .. end)")
    if data["migration_message"]:
        print(f"    runner: {data['migration_message']}")
    marks = []
    if alters:
        marks.append(f"ALTER sent at +{alters[0] - ws} ms" + (f" ({len(alters)} attempts)" if len(alters) > 1 else ""))
    if data["reader_acquired_ms"] and data["reader_release_ms"]:
        held = f"reader held tickets {data['reader_release_ms'] - data['reader_acquired_ms']} ms"
        if data["ddl_queued_ms"]:
            held += f" ({data['reader_release_ms'] - data['ddl_queued_ms']} ms of it with the ALTER queued)"
        marks.append(f"{held}, released at +{data['reader_release_ms'] - ws} ms")
    if marks:
        print("    " + "; ".join(marks))
    print(f"  app in the window: {len(in_window)} transactions in flight, max {fmt_ms(data['window_max_ms'])}, "
          f"p99 {fmt_ms(data['window_p99_ms'])}, over {limit} ms {late_window}, "
          f"failed {failed_window}, skipped {skipped_window}")
    print(f"  app in total:      {len(completed)} transactions, max {fmt_ms(data['total_max_ms'])}, "
          f"p99 {fmt_ms(data['total_p99_ms'])}, failed {len(failed)}, skipped {len(skipped)}, "
          f"clients aborted {aborted}")
    for w in warnings:
        print(f"  WARNING: {w}")
    if aborted:
        for line in pgbench_text.splitlines():
            if "aborted" in line:
                print(f"    pgbench: {line.strip()}")


def verdict(args):
    with open(args.plain, encoding="utf-8") as f:
        plain = json.load(f)
    with open(args.dbmigrate, encoding="utf-8") as f:
        dbm = json.load(f)
    lock_timeout = args.lock_timeout_ms
    bound = 2 * lock_timeout + 100

    def app_failed(s):
        return s["total_failed"] + s["clients_aborted"]

    def line(ok, text):
        print(f"{'PASS' if ok else 'FAIL'}  {text}")

    print("== Verdict ==")
    dmax = dbm["window_max_ms"]
    ok = dmax is not None and dmax < bound and app_failed(dbm) == 0
    line(ok, f"dbmigrate: max app latency in the window {fmt_ms(dmax)} < {bound} ms "
             f"(2 x lock_timeout {lock_timeout} ms + 100 ms), failed app transactions in the run "
             f"{app_failed(dbm)} (must be 0)")
    reason = f" {dbm['migration_reason']}" if dbm["migration_reason"] else ""
    line(dbm["migration_exit"] == 0, f"dbmigrate: the migration was applied (exit {dbm['migration_exit']}{reason})")

    pmax = plain["window_max_ms"]
    release, alters = plain["reader_release_ms"], plain["alter_requests_ms"]
    queued_at = alters[0] if alters else plain["window_start_ms"]
    if release:
        # The application queues behind the ALTER from the moment it is sent until the reader
        # commits: that is the stall plain Alembic must show (100 ms slack for the load's schedule).
        stall = release - queued_at
        threshold = stall - 100
        line(pmax is not None and pmax >= threshold,
             f"plain alembic: max app latency in the window {fmt_ms(pmax)} >= {threshold} ms "
             f"(the reader's hold from the ALTER's lock request to its commit, {stall} ms, minus 100 ms)")
    else:
        line(False, "plain alembic: the reader's release time is unknown")
    if pmax and dmax:
        print(f"RATIO plain alembic / dbmigrate max app latency in the window: {pmax / dmax:.1f}x "
              f"({pmax:.1f} ms / {dmax:.1f} ms)")
    for s in (plain, dbm):
        for w in s["warnings"]:
            print(f"WARNING  not conclusive, {s['name']}: {w}")
    if args.note:
        print(f"NOTE  {args.note}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("scenario")
    s.add_argument("--name", required=True)
    s.add_argument("--title", required=True)
    s.add_argument("--log-prefix", required=True)
    s.add_argument("--window-start", type=int, required=True)
    s.add_argument("--window-end", type=int, required=True)
    s.add_argument("--latency-limit-ms", type=int, required=True)
    s.add_argument("--pgbench-output", required=True)
    s.add_argument("--pgbench-exit", type=int, required=True)
    s.add_argument("--migration-exit", type=int, required=True)
    s.add_argument("--migration-output", required=True)
    s.add_argument("--reader-output")
    s.add_argument("--result-json")
    s.add_argument("--out", required=True)
    v = sub.add_parser("verdict")
    v.add_argument("--lock-timeout-ms", type=int, required=True)
    v.add_argument("--plain", required=True)
    v.add_argument("--dbmigrate", required=True)
    v.add_argument("--note")
    args = parser.parse_args()
    scenario(args) if args.command == "scenario" else verdict(args)


if __name__ == "__main__":
    main()
