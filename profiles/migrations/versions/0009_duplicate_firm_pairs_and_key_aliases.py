"""duplicate firm pairs and key aliases

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

Firms that look like the same firm uploaded twice are stored as pairs when an import
flags them, with what an advisor decided: the same firm (merged, reversibly) or
different firms (never flagged again). The key of a firm merged away becomes an alias
of the firm it was merged into.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0009'
down_revision: Union[str, None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('duplicate_pair',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('first_key', sa.String(length=80), nullable=False),
    sa.Column('second_key', sa.String(length=80), nullable=False),
    sa.Column('first_name', sa.String(length=200), nullable=False),
    sa.Column('second_name', sa.String(length=200), nullable=False),
    sa.Column('similarity', sa.Float(), nullable=False),
    sa.Column('same_city', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('flagged_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('kept_key', sa.String(length=80), nullable=True),
    sa.Column('merge', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by'], ['account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('first_key', 'second_key', name='uq_duplicate_pair')
    )
    with op.batch_alter_table('duplicate_pair', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duplicate_pair_first_key'), ['first_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_duplicate_pair_second_key'), ['second_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_duplicate_pair_status'), ['status'], unique=False)

    op.create_table('firm_key_alias',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('pair_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['firm_id'], ['firm.id'], ),
    sa.ForeignKeyConstraint(['pair_id'], ['duplicate_pair.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('firm_key_alias', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_firm_key_alias_key'), ['key'], unique=True)
        batch_op.create_index(batch_op.f('ix_firm_key_alias_firm_id'), ['firm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_firm_key_alias_pair_id'), ['pair_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('firm_key_alias', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_firm_key_alias_pair_id'))
        batch_op.drop_index(batch_op.f('ix_firm_key_alias_firm_id'))
        batch_op.drop_index(batch_op.f('ix_firm_key_alias_key'))
    op.drop_table('firm_key_alias')
    with op.batch_alter_table('duplicate_pair', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duplicate_pair_status'))
        batch_op.drop_index(batch_op.f('ix_duplicate_pair_second_key'))
        batch_op.drop_index(batch_op.f('ix_duplicate_pair_first_key'))
    op.drop_table('duplicate_pair')
