"""network records, sync runs and the profile change feed

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06

Profiles keep the network record they came in as (`een`), so that what partnermatch
has no field for is exported again. Synchronisations from a network source are
recorded like nightly runs, with the checkpoint a killed run resumes from. Machine
clients follow changes in `updated_at` order; profiles that are gone leave a
removal row behind for them.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0012'
down_revision: Union[str, None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Plain ALTER TABLE: a batch would copy the profile table, which matches refer to.
    op.add_column('profile', sa.Column('een', sa.JSON(), nullable=True))
    op.create_index('ix_profile_updated_id', 'profile', ['updated_at', 'id'], unique=False)
    op.create_table(
        'profile_removal',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('reference', sa.String(length=20), nullable=True),
        sa.Column('firm_id', sa.Integer(), nullable=False),
        sa.Column('cluster', sa.String(length=200), nullable=True),
        sa.Column('was_published', sa.Boolean(), nullable=False),
        sa.Column('removed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_profile_removal_at_id', 'profile_removal', ['removed_at', 'id'], unique=False)
    op.create_table(
        'sync_run',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=300), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('since', sa.String(length=40), nullable=True),
        sa.Column('checkpoint', sa.JSON(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('host', sa.String(length=120), nullable=False),
        sa.Column('pid', sa.Integer(), nullable=True),
        sa.Column('stats', sa.JSON(), nullable=False),
        sa.Column('errors', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_sync_run_source', 'sync_run', ['source', 'id'], unique=False)
    op.create_index(op.f('ix_sync_run_status'), 'sync_run', ['status'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_sync_run_status'), table_name='sync_run')
    op.drop_index('ix_sync_run_source', table_name='sync_run')
    op.drop_table('sync_run')
    op.drop_index('ix_profile_removal_at_id', table_name='profile_removal')
    op.drop_table('profile_removal')
    op.drop_index('ix_profile_updated_id', table_name='profile')
    op.execute('ALTER TABLE profile DROP COLUMN een')
