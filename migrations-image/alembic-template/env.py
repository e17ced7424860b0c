"""Alembic environment for a dbmigrate migrations image.

The connection comes from the environment, never from a file: sqlalchemy.url in
alembic.ini is a bare "postgresql+psycopg2://" and libpq fills in the rest from
PGHOST/PGPORT/PGDATABASE/PGUSER/PGPASSWORD/PGSSLMODE in the environment.
DBMIGRATE_SQLALCHEMY_URL, when set, replaces the URL entirely.

The whole run is one transaction (Alembic's default for PostgreSQL, which has
transactional DDL): if any revision fails, none of the run's revisions stay applied.
Do not set transaction_per_migration here. For a statement that cannot run in a
transaction (CREATE INDEX CONCURRENTLY), use op.get_context().autocommit_block() in
that revision.
"""
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool

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


def run_migrations_offline():
    """Write the SQL to stdout (`alembic upgrade head --sql`) without connecting."""
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    # NullPool: one short-lived connection, nothing kept open after the run.
    engine = create_engine(database_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
