"""Add customer preferences field

Revision ID: abc123def456
Revises: xyz789uvw012
Create Date: 2023-10-01 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = 'abc123def456'
down_revision = 'xyz789uvw012'
branch_labels = None
depends_on = None


def upgrade():
    # A constant default lets PostgreSQL 11+ add the NOT NULL column without rewriting the
    # table: existing rows read the default from the catalog.
    op.add_column('customers', sa.Column('preferences', postgresql.JSONB(),
                                         server_default=sa.text("'{}'::jsonb"),
                                         nullable=False))


def downgrade():
    op.drop_column('customers', 'preferences')
