"""Alembic environment of the zero-downtime benchmark.

Like examples/crm/env.py: sqlalchemy.url is a bare "postgresql+psycopg2://", so libpq
takes the connection (and PGOPTIONS, e.g. "-c lock_timeout=200ms") from the PG* variables.
One transaction for the whole run, Alembic's default on PostgreSQL.
"""
from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool

config = context.config

if config.config_file_name is not None:
    fileConfig(config.config_file_name)

target_metadata = None


def run_migrations_online():
    engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("the benchmark's migrations run online only")
run_migrations_online()
