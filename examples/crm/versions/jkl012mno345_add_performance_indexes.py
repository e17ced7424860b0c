"""Add indexes for performance

Revision ID: jkl012mno345
Revises: ghi789jkl012
Create Date: 2023-10-04 14:20:00.000000

"""
from alembic import op
# The reference guide used sa.text() below without this import: NameError at upgrade time.
import sqlalchemy as sa

revision = 'jkl012mno345'
down_revision = 'ghi789jkl012'
branch_labels = None
depends_on = None


def upgrade():
    # Plain CREATE INDEX takes a SHARE lock: writes to the table wait until it finishes.
    # Fine for this example's small tables. On a large, busy table, build the index with
    # postgresql_concurrently=True inside `with op.get_context().autocommit_block():`,
    # because CREATE INDEX CONCURRENTLY cannot run inside a transaction.

    # Composite index for "latest messages of a customer".
    op.create_index('idx_messages_customer_date', 'messages',
                    ['customer_id', 'timestamp'], postgresql_ops={'timestamp': 'DESC'})

    # Partial index: only open tickets, the ones the support queue looks at.
    op.create_index('idx_active_tickets', 'tickets',
                    ['customer_id', 'status'],
                    postgresql_where=sa.text("status IN ('new', 'in_progress', 'waiting_for_customer')"))


def downgrade():
    # PostgreSQL does not need table_name (index names are unique per schema), but
    # MySQL and SQL Server do, and it records which table the index belonged to.
    op.drop_index('idx_active_tickets', table_name='tickets')
    op.drop_index('idx_messages_customer_date', table_name='messages')
