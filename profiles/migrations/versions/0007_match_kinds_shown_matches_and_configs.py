"""match kinds, shown matches and stored matching configs

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

Every stored match says what the other side is to the profile's firm (customer,
supplier, complement or peer). The match lists firms acted on are kept with their
component values, so weights are learned only from what the engine showed; and
matching configurations are stored with their provenance, one of them active.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0007'
down_revision: Union[str, None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('matching_config',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('config', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('metrics', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('matching_config', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matching_config_active'), ['active'], unique=False)

    op.create_table('shown_match',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interest_id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('other_profile_id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('shown_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['interest_id'], ['interest.id'], ),
    sa.ForeignKeyConstraint(['other_profile_id'], ['profile.id'], ),
    sa.ForeignKeyConstraint(['profile_id'], ['profile.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('shown_match', schema=None) as batch_op:
        batch_op.create_index('ix_shown_match_interest', ['interest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shown_match_profile_id'), ['profile_id'], unique=False)

    with op.batch_alter_table('match', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=12), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_match_kind'), ['kind'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('match', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_kind'))
        batch_op.drop_column('kind')

    with op.batch_alter_table('shown_match', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shown_match_profile_id'))
        batch_op.drop_index('ix_shown_match_interest')

    op.drop_table('shown_match')
    with op.batch_alter_table('matching_config', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matching_config_active'))

    op.drop_table('matching_config')
