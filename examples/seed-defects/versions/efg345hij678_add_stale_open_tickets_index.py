"""Add an index for the support queue's stale open tickets

Revision ID: efg345hij678
Revises: vwx234yz567
Depends on: cde012fgh345
Create Date: 2023-10-11 09:00:00.000000

Reproduces, on purpose, a defect of the reference guide: its jkl012mno345 ("Add indexes
for performance") passes postgresql_where=sa.text(...) to a partial index but imports only
`op`, so `sa` is not defined. The module still imports (alembic heads and history work);
upgrade() fails as soon as it runs, with

    NameError: name 'sa' is not defined

and, the run being one transaction, leaves the database as it was. The fix is the import,
as ../crm/versions/jkl012mno345_add_performance_indexes.py has it. It is left out here so
that a rehearsal has something to catch (see ../README.md).

Like ../crm's contract revision, it revises the branch point vwx234yz567 and depends on
the expand head: a child of cde012fgh345 would be a second head inside the expand
branch, and `expand@head` would stop resolving.
"""
from alembic import op
# The guide's import list: `import sqlalchemy as sa` is missing.

revision = 'efg345hij678'
down_revision = 'vwx234yz567'
branch_labels = None
depends_on = 'cde012fgh345'


def upgrade():
    # Open tickets, least recently touched first: the support queue's "stale" view.
    # new_status, not status: it exists before and after ../crm's contract revision.
    op.create_index('idx_open_tickets_updated_at', 'tickets', ['updated_at'],
                    postgresql_where=sa.text("new_status IN ('new', 'in_progress', 'waiting_for_customer')"))


def downgrade():
    op.drop_index('idx_open_tickets_updated_at', table_name='tickets')
