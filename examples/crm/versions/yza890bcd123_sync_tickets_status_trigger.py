"""Keep tickets.status and tickets.new_status in sync (expand branch)

Revision ID: yza890bcd123
Revises: vwx234yz567
Create Date: 2023-10-09 09:00:00.000000

The first revision of the 'expand' branch. vwx234yz567 added new_status; from here on a
trigger copies every write of one column into the other, so the old application (which
reads and writes only status) and the new one (only new_status) can run side by side
during a rolling deployment. cde012fgh345 then backfills the rows written before the
trigger existed. The 'contract' branch (ijk678lmn901) drops the trigger and status.
"""
from alembic import op

revision = 'yza890bcd123'
down_revision = 'vwx234yz567'
branch_labels = ('expand',)
depends_on = None

# Why both directions: during the rollout between expand and contract, old and new pods
# run at the same time, and a rollback of the Deployment brings the old application back
# before contract. The old one reads status, so status must follow what the new one
# writes to new_status; and an INSERT by the new one must not leave status at its
# default 'new' while new_status says otherwise.
#
# Which column "wrote" is told apart by what changed:
# - INSERT: new_status given -> the new application, status := new_status;
#           otherwise       -> the old one (or status' default), new_status := status.
# - UPDATE: only status changed, or new_status is NULL -> new_status := status;
#           new_status changed -> status := new_status (it wins if both changed).
# status is NOT NULL, so a NULL new_status never overwrites it.
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

# UPDATE OF: an UPDATE that sets neither column (a subject change) does not run it.
SYNC_TRIGGER = """
CREATE TRIGGER tickets_sync_status
BEFORE INSERT OR UPDATE OF status, new_status ON tickets
FOR EACH ROW EXECUTE FUNCTION tickets_sync_status()
"""


def upgrade():
    # CREATE TRIGGER takes a SHARE ROW EXCLUSIVE lock on tickets, which blocks the
    # application's writes until the run commits. Run alone (`alembic upgrade
    # yza890bcd123`, or a step of its own), that is a moment; in the same run as the
    # backfill (`expand@head`) it lasts as long as the backfill does.
    op.execute(SYNC_FUNCTION)
    op.execute(SYNC_TRIGGER)


def downgrade():
    op.execute('DROP TRIGGER tickets_sync_status ON tickets')
    op.execute('DROP FUNCTION tickets_sync_status()')
