"""Create the base CRM tables

Revision ID: xyz789uvw012
Revises:
Create Date: 2023-09-30 09:00:00.000000

The reference guide starts at abc123def456, which revises xyz789uvw012 but never shows
it. This is that base revision: the tables the later revisions alter.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = 'xyz789uvw012'
down_revision = None
branch_labels = None
depends_on = None


def uuid_pk():
    # gen_random_uuid() is built into PostgreSQL 13 and later; no pgcrypto extension needed.
    return sa.Column('id', postgresql.UUID(as_uuid=True),
                     server_default=sa.text('gen_random_uuid()'), nullable=False)


def created_at():
    return sa.Column('created_at', sa.DateTime(timezone=True),
                     server_default=sa.text('now()'), nullable=False)


def upgrade():
    op.create_table('customers',
        uuid_pk(),
        sa.Column('email', sa.String(length=255), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=True),
        created_at(),
        sa.PrimaryKeyConstraint('id', name='pk_customers'),
        sa.UniqueConstraint('email', name='uq_customers_email'),
    )

    op.create_table('tickets',
        uuid_pk(),
        sa.Column('customer_id', postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('status', sa.String(length=50),
                  server_default=sa.text("'new'"), nullable=False),
        created_at(),
        sa.Column('updated_at', sa.DateTime(timezone=True),
                  server_default=sa.text('now()'), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_tickets'),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'],
                                name='fk_tickets_customer_id'),
    )

    op.create_table('messages',
        uuid_pk(),
        sa.Column('customer_id', postgresql.UUID(as_uuid=True), nullable=False),
        # A message need not belong to a ticket (e.g. a note on the customer).
        sa.Column('ticket_id', postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('timestamp', sa.DateTime(timezone=True),
                  server_default=sa.text('now()'), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_messages'),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'],
                                name='fk_messages_customer_id'),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'],
                                name='fk_messages_ticket_id'),
    )

    op.create_table('knowledge_base_articles',
        uuid_pk(),
        sa.Column('title', sa.String(length=255), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        created_at(),
        sa.PrimaryKeyConstraint('id', name='pk_knowledge_base_articles'),
    )


def downgrade():
    # Reverse order of the foreign keys: messages refers to tickets and customers.
    op.drop_table('knowledge_base_articles')
    op.drop_table('messages')
    op.drop_table('tickets')
    op.drop_table('customers')
