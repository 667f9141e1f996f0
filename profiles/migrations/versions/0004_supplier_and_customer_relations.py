"""supplier and customer relations

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21

Firms record their suppliers and customers: the counterpart (a firm of the
exchange or a normalised outside name), what is bought or sold (with its
capability concept) and the share of turnover or purchases.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0004'
down_revision: Union[str, None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('relation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('counterpart_key', sa.String(length=200), nullable=False),
    sa.Column('counterpart_name', sa.String(length=200), nullable=False),
    sa.Column('counterpart_firm_id', sa.Integer(), nullable=True),
    sa.Column('item', sa.String(length=200), nullable=False),
    sa.Column('item_key', sa.String(length=200), nullable=False),
    sa.Column('concept_id', sa.String(length=80), nullable=True),
    sa.Column('share', sa.Float(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['firm_id'], ['firm.id'], ),
    sa.ForeignKeyConstraint(['counterpart_firm_id'], ['firm.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('firm_id', 'direction', 'counterpart_key', 'item_key', name='uq_relation_firm_counterpart_item')
    )
    with op.batch_alter_table('relation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_relation_firm_id'), ['firm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_relation_counterpart_key'), ['counterpart_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_relation_counterpart_firm_id'), ['counterpart_firm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_relation_concept_id'), ['concept_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('relation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_relation_concept_id'))
        batch_op.drop_index(batch_op.f('ix_relation_counterpart_firm_id'))
        batch_op.drop_index(batch_op.f('ix_relation_counterpart_key'))
        batch_op.drop_index(batch_op.f('ix_relation_firm_id'))
    op.drop_table('relation')
