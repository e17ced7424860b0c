"""Drop tickets.status; new_status takes its place (contract branch)

Revision ID: ijk678lmn901
Revises: vwx234yz567
Depends on: cde012fgh345
Create Date: 2023-10-10 09:00:00.000000

The 'contract' branch: run it only once no application version reads or writes
tickets.status any more (in dbmigrate: a step behind a gate on the application's rollout).
It depends on the head of the 'expand' branch: `alembic upgrade contract@head` (or
`heads`) applies expand first when it has not run, and a downgrade of the expand branch
undoes this revision first.
"""
from alembic import op
import sqlalchemy as sa

revision = 'ijk678lmn901'
down_revision = 'vwx234yz567'
branch_labels = ('contract',)
depends_on = 'cde012fgh345'

OPEN_STATUSES = "('new', 'in_progress', 'waiting_for_customer')"

# A copy of yza890bcd123's function and trigger, for the downgrade. Copied, not imported:
# a released revision never changes, so the copy cannot drift from what it restores.
SYNC_FUNCTION = """
CREATE FUNCTION tickets_sync_status() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.new_status IS NULL THEN
            NEW.new_status := NEW.status;
        ELSE
            NEW.status := NEW.new_status;
        END IF;
    ELSIF NEW.new_status IS NULL
          OR (NEW.status IS DISTINCT FROM OLD.status
              AND NEW.new_status IS NOT DISTINCT FROM OLD.new_status) THEN
        NEW.new_status := NEW.status;
    ELSIF NEW.new_status IS DISTINCT FROM OLD.new_status THEN
        NEW.status := NEW.new_status;
    END IF;
    RETURN NEW;
END
$$
"""

SYNC_TRIGGER = """
CREATE TRIGGER tickets_sync_status
BEFORE INSERT OR UPDATE OF status, new_status ON tickets
FOR EACH ROW EXECUTE FUNCTION tickets_sync_status()
"""


def upgrade():
    # new_status inherits what status promised: a value on every row, 'new' by default.
    # SET NOT NULL alone scans the table under ACCESS EXCLUSIVE; given a validated
    # CHECK (new_status IS NOT NULL) PostgreSQL 12+ skips the scan. So: the check NOT
    # VALID (new rows only, no scan), committed; VALIDATE it outside the run's
    # transaction (it scans under SHARE UPDATE EXCLUSIVE, which blocks neither reads
    # nor writes), and only then the quick part, in one transaction. If a row was
    # missed, VALIDATE fails before anything is dropped; the check and the default stay,
    # committed by the block, and the revision runs again as it is once the row is fixed
    # (the check is made anew).
    op.alter_column('tickets', 'new_status', existing_type=sa.String(length=50),
                    server_default=sa.text("'new'"))
    op.execute('ALTER TABLE tickets DROP CONSTRAINT IF EXISTS ck_tickets_new_status_not_null')
    op.create_check_constraint('ck_tickets_new_status_not_null', 'tickets',
                               sa.text('new_status IS NOT NULL'), postgresql_not_valid=True)
    with op.get_context().autocommit_block():
        op.execute('ALTER TABLE tickets VALIDATE CONSTRAINT ck_tickets_new_status_not_null')
    op.execute('DROP TRIGGER tickets_sync_status ON tickets')
    op.execute('DROP FUNCTION tickets_sync_status()')
    # DROP COLUMN would drop the index too; dropping it by name says what goes.
    # idx_active_tickets_new_status (cde012fgh345) replaces it.
    op.drop_index('idx_active_tickets', table_name='tickets')
    op.drop_column('tickets', 'status')
    op.alter_column('tickets', 'new_status', existing_type=sa.String(length=50),
                    nullable=False)
    op.drop_constraint('ck_tickets_new_status_not_null', 'tickets', type_='check')


def downgrade():
    # Back to the state of the expand branch's head: status restored from new_status,
    # its index and the sync trigger back, new_status nullable without a default.
    op.add_column('tickets', sa.Column('status', sa.String(length=50), nullable=True))
    op.execute('UPDATE tickets SET status = new_status')
    op.alter_column('tickets', 'status', existing_type=sa.String(length=50),
                    server_default=sa.text("'new'"), nullable=False)
    op.alter_column('tickets', 'new_status', existing_type=sa.String(length=50),
                    server_default=None, nullable=True)
    op.create_index('idx_active_tickets', 'tickets',
                    ['customer_id', 'status'],
                    postgresql_where=sa.text('status IN ' + OPEN_STATUSES))
    op.execute(SYNC_FUNCTION)
    op.execute(SYNC_TRIGGER)
