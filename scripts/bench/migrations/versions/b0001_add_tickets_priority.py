"""add tickets.priority: catalog-only, but needs ACCESS EXCLUSIVE on tickets

Adding a nullable column without a default rewrites nothing, so the statement itself is
instant; any time it takes is spent waiting in the lock queue. That is what the benchmark
measures. Before the ALTER it prints the moment it sends it (epoch ms) on stderr, so the
analysis knows when the lock request joined the queue.

Revision ID: b0001
Revises:
Create Date: 2024-05-06 00:00:00
"""
import sys
import time

from alembic import op

revision = "b0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    print(f"bench: ALTER TABLE requested at_ms={int(time.time() * 1000)}", file=sys.stderr, flush=True)
    op.execute("ALTER TABLE tickets ADD COLUMN priority int")


def downgrade():
    op.execute("ALTER TABLE tickets DROP COLUMN priority")
