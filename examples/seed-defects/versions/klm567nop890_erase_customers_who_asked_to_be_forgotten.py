"""Erase the customers who asked to be forgotten; keep their tickets and messages

Revision ID: klm567nop890
Revises: vwx234yz567
Depends on: cde012fgh345
Create Date: 2023-10-12 09:00:00.000000

Reproduces, on purpose, a defect of the reference guide: its ghi789jkl012 makes
customers.email nullable and its downgrade makes it NOT NULL again ("be careful with
this!"). That downgrade works on an empty database and fails on one where the column has
since been set to NULL somewhere. Here the upgrade itself writes those NULLs: tickets and
messages stay (support keeps its history), their customer_id becomes NULL, and the
customers who asked to be erased (preferences {"erasure_requested": true}) are deleted.
The upgrade succeeds. The downgrade, written as the guide writes its downgrades, puts
NOT NULL back and fails on any database where somebody was erased:

    column "customer_id" of relation "messages" contains null values

so the rollback path is broken exactly when it is needed, on production data. The run
rolls back and the database stays at this revision. A rehearsal with roundTrip: true
finds that out on a copy, before production is upgraded (see ../README.md).

A correct downgrade cannot bring the erased customers back, and must not try. Before
SET NOT NULL it gives the detached rows a customer again: one placeholder row, e.g.
INSERT INTO customers (name) VALUES ('erased customer') RETURNING id (email is nullable
since ghi789jkl012), then UPDATE tickets / messages SET customer_id = <that id> WHERE
customer_id IS NULL. Or, if detached rows must not be tied to any customer, the revision
is irreversible and its downgrade says so: raise an error naming why, instead of failing
on a constraint.

Like ../crm's contract revision, it revises the branch point vwx234yz567 and depends on
the expand head, so `expand@head` still names one revision.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = 'klm567nop890'
down_revision = 'vwx234yz567'
branch_labels = None
depends_on = 'cde012fgh345'

FORGOTTEN = """SELECT id FROM customers WHERE preferences @> '{"erasure_requested": true}'"""


def upgrade():
    # Dropping NOT NULL only changes the catalog: no table scan, no rewrite.
    op.alter_column('tickets', 'customer_id',
                    existing_type=postgresql.UUID(as_uuid=True), nullable=True)
    op.alter_column('messages', 'customer_id',
                    existing_type=postgresql.UUID(as_uuid=True), nullable=True)
    # Detach first: the foreign keys have no ON DELETE action.
    op.execute(f'UPDATE tickets SET customer_id = NULL WHERE customer_id IN ({FORGOTTEN})')
    op.execute(f'UPDATE messages SET customer_id = NULL WHERE customer_id IN ({FORGOTTEN})')
    op.execute(f'DELETE FROM customers WHERE id IN ({FORGOTTEN})')


def downgrade():
    # The guide's pattern (ghi789jkl012): make the columns NOT NULL again. SET NOT NULL scans
    # the table and fails once the upgrade above has detached a single row. The docstring
    # says what a working downgrade does.
    op.alter_column('messages', 'customer_id',
                    existing_type=postgresql.UUID(as_uuid=True), nullable=False)
    op.alter_column('tickets', 'customer_id',
                    existing_type=postgresql.UUID(as_uuid=True), nullable=False)
