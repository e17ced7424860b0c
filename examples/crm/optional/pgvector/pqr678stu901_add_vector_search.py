"""Add vector search capabilities

Revision ID: pqr678stu901
Revises: mno345pqr678
Create Date: 2023-10-06 16:30:00.000000

Optional: not in the CRM example's default chain. It needs the pgvector extension on the
server and the `pgvector` Python package where Alembic runs; see README.md next to this
file for how to add it as the 'vector' branch.
"""
from alembic import op
import sqlalchemy as sa
# The reference guide used postgresql.Vector, which SQLAlchemy does not have: the type
# comes from the pgvector package.
from pgvector.sqlalchemy import Vector

revision = 'pqr678stu901'
down_revision = 'mno345pqr678'
# A branch of its own, so the default chain (and `upgrade head` on servers without
# pgvector) does not depend on it. Upgrade with `alembic upgrade heads`.
branch_labels = ('vector',)
depends_on = None


def upgrade():
    # Fails with "extension "vector" is not available" when the server lacks pgvector
    # (e.g. Debian's stock PostgreSQL 15). Creating an extension may also need more
    # privileges than the migration role has; a DBA can create it beforehand, and then
    # IF NOT EXISTS makes this a no-op.
    op.execute('CREATE EXTENSION IF NOT EXISTS vector')

    op.add_column('messages', sa.Column('embedding', Vector(1536), nullable=True))
    op.add_column('knowledge_base_articles', sa.Column('embedding', Vector(1536), nullable=True))

    # HNSW, not the guide's ivfflat with lists = 100: ivfflat picks its list centroids
    # from the rows present when the index is built, so built here, on empty columns, it
    # gives poor recall later. HNSW (pgvector 0.5.0+) needs no training data. If you want
    # ivfflat, create it after the embeddings are loaded, in a later revision.
    op.execute('CREATE INDEX idx_messages_embedding ON messages '
               'USING hnsw (embedding vector_cosine_ops)')
    op.execute('CREATE INDEX idx_kb_articles_embedding ON knowledge_base_articles '
               'USING hnsw (embedding vector_cosine_ops)')


def downgrade():
    op.execute('DROP INDEX IF EXISTS idx_kb_articles_embedding')
    op.execute('DROP INDEX IF EXISTS idx_messages_embedding')
    op.drop_column('knowledge_base_articles', 'embedding')
    op.drop_column('messages', 'embedding')
    # The extension stays: other schemas or databases' objects may use it, and it may
    # have been created by a DBA rather than by this revision.
