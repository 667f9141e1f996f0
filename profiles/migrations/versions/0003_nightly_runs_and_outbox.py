"""nightly runs and outbox

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21

Nightly runs record their kind, stage, attempts, host and counts; matches
remember the run in which they first appeared; proposals carry flags (a better
alternative to an accepted one); accounts keep digest preferences and how far
their last digest went; the outbox holds messages until they are sent.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0003'
down_revision: Union[str, None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('match_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=12), nullable=False, server_default='full'))
        batch_op.add_column(sa.Column('stage', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('host', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('pid', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('stats', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('errors', sa.JSON(), nullable=False, server_default='[]'))

    with op.batch_alter_table('match', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_run_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_match_first_run_id'), ['first_run_id'], unique=False)
    op.execute('UPDATE match SET first_run_id = run_id')

    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('flags', sa.JSON(), nullable=False, server_default='{}'))

    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('digest_run_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('digest_at', sa.DateTime(timezone=True), nullable=True))

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('recipient', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('message_id', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_dedupe_key'), ['dedupe_key'], unique=True)
        batch_op.create_index(batch_op.f('ix_outbox_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_status'))
        batch_op.drop_index(batch_op.f('ix_outbox_dedupe_key'))
        batch_op.drop_index(batch_op.f('ix_outbox_account_id'))
    op.drop_table('outbox')
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_column('digest_at')
        batch_op.drop_column('digest_run_id')
        batch_op.drop_column('digest')
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_column('flags')
    with op.batch_alter_table('match', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_first_run_id'))
        batch_op.drop_column('first_run_id')
    with op.batch_alter_table('match_run', schema=None) as batch_op:
        for name in ('errors', 'stats', 'pid', 'host', 'attempts', 'stage', 'kind'):
            batch_op.drop_column(name)
