"""Runs one `alembic` command for dbmigrate-runner, on the database the runner locked (and backed up).

Usage (in the migrations directory):
  python3 -B -c "$(cat checked_alembic.py)" LOCK_PID EXPECTED_HEADS ALEMBIC_ARGUMENTS...
LOCK_PID: the backend pid of the runner's session that holds dbmigrate's advisory lock on the
database, or "offline" (alembic ... --sql: no lock, no connection expected, nothing checked).
EXPECTED_HEADS: the rows of alembic_version as the runner read them under that lock ("base", or
joined with ","), or "any" (stamp).

1. sqlalchemy.url becomes the driver alembic.ini names and nothing else (no host, port, database,
   user, password or query), so libpq's PG* environment, set by the runner, says where to connect.
2. Every connection any SQLAlchemy pool opens must see the runner's lock, held by LOCK_PID in its
   own current database: an env.py that builds its own URL or engine is caught here.
3. Before Alembic's first step, the heads it reads (its version table, wherever env.py put it) must
   be EXPECTED_HEADS.
4. With DBMIGRATE_SCHEMA set (a schema target), Alembic's version table must be in that schema and
   the session's current schema must be it: an env.py that ignores it would migrate (and version)
   whatever its search_path finds first, another tenant's schema or public.
Otherwise one line "dbmigrate-database-mismatch: {json}" on stdout and exit status 30 at once,
before any migration statement ran: the session ends and PostgreSQL rolls back what it had begun.
"""
import json
import os
import sys

MARKER = "dbmigrate-database-mismatch: "
EXIT_DATABASE_MISMATCH = 30
LOCK_KEY = 0x64626D67  # AdvisoryLock.KEY: "dbmg"


def mismatch(**fields):
    sys.stderr.flush()
    sys.stdout.write(MARKER + json.dumps(fields) + "\n")
    sys.stdout.flush()
    os._exit(EXIT_DATABASE_MISMATCH)


def guard_connections(lock_pid, checked):
    from sqlalchemy import event
    from sqlalchemy.pool import Pool

    sql = ("select current_database(), coalesce(host(inet_server_addr()), 'local') || ':' || "
           "coalesce(inet_server_port()::text, current_setting('port')), exists(select 1 from pg_locks"
           " where locktype = 'advisory' and granted and pid = %d and objsubid = 2"
           " and database = (select oid from pg_database where datname = current_database())"
           " and classid = (%d)::oid and objid = hashtext(current_database())::oid)" % (lock_pid, LOCK_KEY))

    def on_connect(dbapi_connection, connection_record):
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute(sql)
                database, server, locked = cursor.fetchone()
            finally:
                cursor.close()
            dbapi_connection.rollback()
        except Exception as e:  # not PostgreSQL, or a session that cannot read pg_locks
            mismatch(reason="unchecked", error="%s: %s" % (type(e).__name__, e))
        if not locked:
            mismatch(reason="connection", database=database, server=server)
        checked.append(database)

    event.listen(Pool, "connect", on_connect)


def guard_heads(expected, checked):
    from alembic.runtime.migration import MigrationContext

    schema = os.environ.get("DBMIGRATE_SCHEMA") or None

    run_migrations = MigrationContext.run_migrations

    def checked_run_migrations(self, **kw):
        if not self.as_sql:
            if not checked:
                mismatch(reason="unchecked", error="Alembic's connection was not opened through a SQLAlchemy pool")
            if schema is not None:
                current = self.connection.exec_driver_sql("select current_schema()").scalar()
                if self.version_table_schema != schema or current != schema:
                    mismatch(reason="schema", schema=schema, currentSchema=current,
                             versionTableSchema=self.version_table_schema)
            if expected is not None:
                heads = sorted(self.get_current_heads())
                if heads != expected:
                    mismatch(reason="heads", heads=heads, versionTable=self.version_table,
                             versionTableSchema=self.version_table_schema)
        return run_migrations(self, **kw)

    MigrationContext.run_migrations = checked_run_migrations


def libpq_url(config):
    from sqlalchemy.engine.url import make_url

    try:
        driver = make_url(config.get_main_option("sqlalchemy.url")).drivername
    except Exception:  # none, or a placeholder such as ${DATABASE_URL} that env.py replaces
        driver = "postgresql"
    return driver + "://"


def main(argv):
    from alembic.config import CommandLine, Config

    lock_pid, expected, arguments = argv[1], argv[2], argv[3:]
    checked = []
    if lock_pid != "offline":
        guard_connections(int(lock_pid), checked)
        guard_heads(None if expected == "any" else ([] if expected == "base" else sorted(expected.split(","))),
                    checked)
    # What `alembic` itself does (alembic.config.CommandLine.main), with the URL replaced.
    cli = CommandLine(prog="alembic")
    options = cli.parser.parse_args(arguments)
    config = Config(file_=options.config, ini_section=options.name, cmd_opts=options)
    config.set_main_option("sqlalchemy.url", libpq_url(config))
    cli.run_cmd(config, options)


if __name__ == "__main__":
    main(sys.argv)
