"""Make customer email nullable

Revision ID: ghi789jkl012
Revises: def456ghi789
Create Date: 2023-10-03 09:15:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'ghi789jkl012'
down_revision = 'def456ghi789'
branch_labels = None
depends_on = None


def upgrade():
    # Dropping NOT NULL only changes the catalog: no table scan, no rewrite.
    op.alter_column('customers', 'email',
                    existing_type=sa.VARCHAR(255),
                    nullable=True)


def downgrade():
    # SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock, and fails (rolling
    # back the whole run) if any customer has no email by now. Backfill or delete those rows
    # in an earlier step before relying on this downgrade.
    op.alter_column('customers', 'email',
                    existing_type=sa.VARCHAR(255),
                    nullable=False)
