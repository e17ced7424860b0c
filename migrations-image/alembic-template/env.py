"""Alembic environment for a dbmigrate migrations image.

The connection comes from the environment, never from a file: sqlalchemy.url in
alembic.ini is a bare "postgresql+psycopg2://" and libpq fills in the rest from
PGHOST/PGPORT/PGDATABASE/PGUSER/PGPASSWORD/PGSSLMODE in the environment.
DBMIGRATE_SQLALCHEMY_URL, when set, replaces the URL entirely.

A target that names a schema (schema per tenant) gets it in DBMIGRATE_SCHEMA (by hand:
`alembic -x schema=tenant_a upgrade head`): the schema is created if missing, search_path
is set to it alone, so unqualified names are the tenant's, and alembic_version is kept in
it. The runner checks both before the first migration runs; keep them if you edit this.

The whole run is one transaction (Alembic's default for PostgreSQL, which has
transactional DDL): if any revision fails, none of the run's revisions stay applied.
Do not set transaction_per_migration here. For a statement that cannot run in a
transaction (CREATE INDEX CONCURRENTLY), use op.get_context().autocommit_block() in
that revision.
"""
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool, text

config = context.config

if config.config_file_name is not None:
    fileConfig(config.config_file_name)

# Set this to your models' MetaData to use `alembic revision --autogenerate`, e.g.
#     from myapp.models import Base
#     target_metadata = Base.metadata
# The module must then be importable inside the image (copy it next to this file or
# install it). Hand-written revisions need nothing here.
target_metadata = None


def database_url():
    # Read the variable directly rather than copying it into the config: configparser would
    # try to interpolate a "%" in an URL-encoded password.
    return os.environ.get("DBMIGRATE_SQLALCHEMY_URL") or config.get_main_option("sqlalchemy.url")


# --- schema targets: keep this block as it is in every copy of the template ---
def target_schema():
    """The schema this run migrates in; None for the database as a whole."""
    return context.get_x_argument(as_dictionary=True).get("schema") or os.environ.get("DBMIGRATE_SCHEMA") or None


def quoted(name):
    return '"' + name.replace('"', '""') + '"'


def enter_schema(schema, execute, exists):
    """Creates the schema when missing and sets the search_path to it alone, in the run's transaction."""
    if not exists():
        execute("CREATE SCHEMA IF NOT EXISTS " + quoted(schema))
    execute("SET search_path TO " + quoted(schema))
# --- end of the schema block ---


def run_migrations_offline():
    """Write the SQL to stdout (`alembic upgrade head --sql`) without connecting."""
    schema = target_schema()
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        version_table_schema=schema,
    )
    with context.begin_transaction():
        if schema:
            # No connection to ask whether it exists: the script creates it if need be.
            enter_schema(schema, context.execute, lambda: False)
        context.run_migrations()


def run_migrations_online():
    # NullPool: one short-lived connection, nothing kept open after the run.
    engine = create_engine(database_url(), poolclass=pool.NullPool)
    schema = target_schema()
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, version_table_schema=schema)
        with context.begin_transaction():
            if schema:
                # Asked first: CREATE SCHEMA IF NOT EXISTS needs the CREATE right even when the schema exists.
                enter_schema(schema, lambda sql: connection.execute(text(sql)), lambda: connection.execute(
                    text("SELECT 1 FROM pg_namespace WHERE nspname = :schema"), {"schema": schema}).first())
                # What autogenerate takes as the default schema, so it does not qualify the tenant's tables.
                connection.dialect.default_schema_name = schema
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
