"""Backfill tickets.new_status from status (expand branch)

Revision ID: cde012fgh345
Revises: yza890bcd123
Create Date: 2023-10-09 09:30:00.000000

The head of the 'expand' branch. After it, every ticket has new_status = status (the
trigger of yza890bcd123 keeps it so), and the open-tickets index exists on new_status
too, so the new application can switch its reads over.
"""
import logging

from alembic import op
import sqlalchemy as sa

revision = 'cde012fgh345'
down_revision = 'yza890bcd123'
branch_labels = None
depends_on = None

log = logging.getLogger('alembic.versions.' + revision)

BATCH_SIZE = 1000

# One batch: the next BATCH_SIZE tickets after the last id seen, in primary key order
# (uuid; the btree of pk_tickets orders it). Rows already in sync are visited but not
# rewritten. The loop ends on an empty batch, not on "nothing updated": a batch of rows
# that are all in sync updates nothing, and the rows after it still need visiting.
BATCH = """
WITH batch AS (
    SELECT id FROM tickets
    {where}
    ORDER BY id
    LIMIT :batch
), updated AS (
    UPDATE tickets t
    SET new_status = t.status
    FROM batch
    WHERE t.id = batch.id AND t.new_status IS DISTINCT FROM t.status
    RETURNING t.id
)
SELECT (SELECT count(*) FROM batch) AS seen,
       (SELECT count(*) FROM updated) AS updated,
       (SELECT id FROM batch ORDER BY id DESC LIMIT 1) AS last_id
"""

OPEN_STATUSES = "('new', 'in_progress', 'waiting_for_customer')"


def upgrade():
    # Keyset batches inside the run's transaction, no COMMIT, for the reasons given in
    # stu901vwx234. The trigger is installed first (yza890bcd123): a row the old
    # application writes while this runs, or after, is synced by it, not by the backfill.
    if op.get_context().as_sql:
        # Offline (`--sql`) cannot read results to drive the loop: one statement.
        op.execute('UPDATE tickets SET new_status = status'
                   ' WHERE new_status IS DISTINCT FROM status')
    else:
        conn = op.get_bind()
        last_id = None
        total = 0
        while True:
            where = '' if last_id is None else 'WHERE id > :last'
            params = {'batch': BATCH_SIZE}
            if last_id is not None:
                params['last'] = last_id
            row = conn.execute(sa.text(BATCH.format(where=where)), params).one()
            if row.seen == 0:
                break
            total += row.updated
            last_id = row.last_id
        log.info('new_status backfilled for %d tickets', total)

    # The support queue's index (idx_active_tickets of jkl012mno345) is on status, and
    # goes away with it in contract. Build its twin on new_status now, so the new
    # application's queue query has it before contract. A plain CREATE INDEX blocks
    # writes for as long as it builds; CONCURRENTLY does not, but cannot run in a
    # transaction: the autocommit block commits the run so far (the trigger and the
    # backfill stay applied if the build fails) and builds the index outside it. A
    # failed concurrent build (a cancel, a timeout) leaves an INVALID index behind, which
    # would make the next run fail with "already exists": it is dropped first, so the
    # revision runs again as it is.
    with op.get_context().autocommit_block():
        op.execute('DROP INDEX CONCURRENTLY IF EXISTS idx_active_tickets_new_status')
        op.create_index('idx_active_tickets_new_status', 'tickets',
                        ['customer_id', 'new_status'],
                        postgresql_where=sa.text('new_status IN ' + OPEN_STATUSES),
                        postgresql_concurrently=True)


def downgrade():
    with op.get_context().autocommit_block():
        op.drop_index('idx_active_tickets_new_status', table_name='tickets',
                      postgresql_concurrently=True)
    # The values stay: new_status existed before this revision (vwx234yz567) and
    # yza890bcd123's trigger kept writing it; emptying it again would only lose data.
