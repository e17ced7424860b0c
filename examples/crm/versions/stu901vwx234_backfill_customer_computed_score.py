"""Add customers.computed_score and backfill it

Revision ID: stu901vwx234
Revises: mno345pqr678
Create Date: 2023-10-07 10:00:00.000000

In the reference guide this revises pqr678stu901 (pgvector). pgvector is optional here
(see optional/pgvector/), so this revision follows mno345pqr678 directly.
"""
import logging

from alembic import op
import sqlalchemy as sa

revision = 'stu901vwx234'
down_revision = 'mno345pqr678'
branch_labels = None
depends_on = None

# Under the 'alembic' logger, so alembic.ini's INFO level applies to it.
log = logging.getLogger('alembic.versions.' + revision)

BATCH_SIZE = 1000

# The score of a customer: 0.1 per message. COUNT(*) of no rows is 0, so a customer
# without messages gets 0.0, never NULL.
SCORE = '(SELECT COUNT(*) * 0.1 FROM messages m WHERE m.customer_id = c.id)'

# One batch: the next BATCH_SIZE customers after the last id seen, in primary key order.
# Returns how many rows it updated and the highest id of the batch, where the next one
# starts.
BATCH = """
WITH batch AS (
    SELECT id FROM customers
    {where}
    ORDER BY id
    LIMIT :batch
), updated AS (
    UPDATE customers c
    SET computed_score = {score}
    FROM batch
    WHERE c.id = batch.id
    RETURNING c.id
)
SELECT (SELECT COUNT(*) FROM updated) AS updated,
       (SELECT id FROM batch ORDER BY id DESC LIMIT 1) AS last_id
"""


def upgrade():
    op.add_column('customers', sa.Column('computed_score', sa.Float(), nullable=True))

    if op.get_context().as_sql:
        # Offline mode (`alembic upgrade --sql`) cannot read results to drive a loop:
        # emit one statement that scores every customer.
        op.execute(f'UPDATE customers c SET computed_score = {SCORE}')
        return

    # Why keyset batching, and why no COMMIT:
    #
    # The reference guide paged with `WHERE computed_score IS NULL LIMIT n OFFSET k`.
    # Each batch fills in its rows, so they drop out of the filtered set, while the offset
    # still grows by n: the second batch skips the n unscored rows that now come first, and
    # so on.
    # On 5,500 customers it left 2,500 of them NULL and still reported success. Walking the
    # primary key (`WHERE id > :last ORDER BY id LIMIT :batch`) visits every row exactly
    # once, whatever the update does to other columns.
    #
    # It also ran COMMIT and BEGIN between batches. That ends Alembic's transaction behind
    # its back: a failure after the first COMMIT leaves a half-applied revision (the column
    # added, some rows scored, alembic_version not updated), and the run can neither be
    # rolled back nor simply retried. This revision stays inside the run's single
    # transaction: it applies completely or not at all. Batching still keeps each
    # statement short, but row locks are held until the run commits.
    #
    # A table too large to rewrite in one transaction does not belong in a COMMIT inside
    # a revision: split it into phases instead. Expand (add the nullable column, and have
    # the application write it for new rows), backfill outside the schema migration in
    # batches that each commit, then contract (a later revision that checks no row is left
    # and adds the constraint). See vwx234yz567 for the expand half of such a change.
    conn = op.get_bind()
    last_id = None
    total = 0
    while True:
        where = '' if last_id is None else 'WHERE id > :last'
        params = {'batch': BATCH_SIZE}
        if last_id is not None:
            params['last'] = last_id
        row = conn.execute(sa.text(BATCH.format(where=where, score=SCORE)), params).one()
        if row.updated == 0:
            break
        total += row.updated
        last_id = row.last_id
    log.info('computed_score backfilled for %d customers', total)


def downgrade():
    op.drop_column('customers', 'computed_score')
