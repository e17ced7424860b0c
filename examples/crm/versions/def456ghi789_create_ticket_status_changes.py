"""Create ticket_status_changes table

Revision ID: def456ghi789
Revises: abc123def456
Create Date: 2023-10-02 15:30:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = 'def456ghi789'
down_revision = 'abc123def456'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ticket_status_changes',
        sa.Column('id', postgresql.UUID(as_uuid=True),
                  server_default=sa.text('gen_random_uuid()'), nullable=False),
        sa.Column('ticket_id', postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column('old_status', sa.String(length=50), nullable=True),
        sa.Column('new_status', sa.String(length=50), nullable=False),
        sa.Column('changed_by', sa.String(length=255), nullable=True),
        sa.Column('changed_at', sa.DateTime(timezone=True),
                  server_default=sa.text('now()'), nullable=False),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('metadata', postgresql.JSONB(),
                  server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'],
                                name='fk_ticket_status_changes_ticket_id'),
        sa.PrimaryKeyConstraint('id', name='pk_ticket_status_changes'),
    )

    # A new, empty table: a plain CREATE INDEX blocks nobody, no CONCURRENTLY needed.
    op.create_index('idx_ticket_status_changes_ticket_id', 'ticket_status_changes', ['ticket_id'])
    op.create_index('idx_ticket_status_changes_changed_at', 'ticket_status_changes', ['changed_at'])


def downgrade():
    op.drop_index('idx_ticket_status_changes_changed_at', table_name='ticket_status_changes')
    op.drop_index('idx_ticket_status_changes_ticket_id', table_name='ticket_status_changes')
    op.drop_table('ticket_status_changes')
