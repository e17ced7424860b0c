"""Add metadata to messages table

Revision ID: mno345pqr678
Revises: jkl012mno345
Create Date: 2023-10-05 11:45:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = 'mno345pqr678'
down_revision = 'jkl012mno345'
branch_labels = None
depends_on = None


def upgrade():
    # Constant default: no table rewrite on PostgreSQL 11+.
    op.add_column('messages', sa.Column('metadata', postgresql.JSONB(),
                                        server_default=sa.text("'{}'::jsonb"),
                                        nullable=False))

    # GIN index for containment queries such as metadata @> '{"channel": "email"}'.
    op.create_index('idx_messages_metadata', 'messages', ['metadata'],
                    postgresql_using='gin')


def downgrade():
    op.drop_index('idx_messages_metadata', table_name='messages')
    op.drop_column('messages', 'metadata')
