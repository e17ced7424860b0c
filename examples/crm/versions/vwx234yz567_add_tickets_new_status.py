"""Add tickets.new_status (expand phase of a zero-downtime change)

Revision ID: vwx234yz567
Revises: stu901vwx234
Create Date: 2023-10-08 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'vwx234yz567'
down_revision = 'stu901vwx234'
branch_labels = None
depends_on = None


def upgrade():
    # Expand: add the new column, nullable and without a default, which only changes the
    # catalog. Old application versions ignore it, so it is safe while they still run.
    op.add_column('tickets', sa.Column('new_status', sa.String(length=50), nullable=True))

    # What follows is not part of this revision:
    # - a trigger keeps status and new_status in sync, and a backfill fills old rows
    #   (yza890bcd123 and cde012fgh345, the 'expand' branch);
    # - the application switches its reads and writes to new_status;
    # - contract: ijk678lmn901 (the 'contract' branch) drops tickets.status, once nothing reads it.


def downgrade():
    # Undoing the expand step is safe as long as no application version reads new_status yet.
    op.drop_column('tickets', 'new_status')
