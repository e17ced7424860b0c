"""Add computed_score to customers

Revision ID: stu901vwx234
Revises: pqr678stu901
Create Date: 2023-10-07 10:00:00.000000

THE SEED'S BUGGY VERSION, kept as a test fixture (shared/seed/migration-strategy-reference.md): it
pages with `WHERE computed_score IS NULL LIMIT 1000 OFFSET k` while each batch removes its rows from
that set, so rows are skipped, and it COMMITs inside Alembic's transaction. Only down_revision
differs from the seed: pgvector's pqr678stu901 is outside examples/crm's chain.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import text

revision = 'stu901vwx234'
down_revision = 'mno345pqr678'
branch_labels = None
depends_on = None

def upgrade():
    # Add new column
    op.add_column('customers', sa.Column('computed_score', sa.Float()))

    # Update data in batches to avoid locking the table too long
    conn = op.get_bind()

    # Process in batches of 1000
    batch_size = 1000
    offset = 0

    while True:
        # Update batch
        result = conn.execute(text(f"""
            UPDATE customers
            SET computed_score = (
                SELECT COUNT(*) * 0.1
                FROM messages
                WHERE messages.customer_id = customers.id
            )
            WHERE id IN (
                SELECT id FROM customers
                WHERE computed_score IS NULL
                LIMIT :batch_size OFFSET :offset
            )
        """), {"batch_size": batch_size, "offset": offset})

        if result.rowcount == 0:
            break

        offset += batch_size

        # Commit each batch to avoid long-running transaction
        conn.execute(text("COMMIT"))
        conn.execute(text("BEGIN"))

def downgrade():
    op.drop_column('customers', 'computed_score')
