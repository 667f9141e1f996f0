"""partnering achievements

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

Advisors record the partnership agreements their cluster's firms sign (EEN
partnering achievements): the firm, the partner (a firm of the exchange or an
outside name), the agreement type, the day it was signed, and the expression of
interest or consortium proposal it came from.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0006'
down_revision: Union[str, None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('achievement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('partner_firm_id', sa.Integer(), nullable=True),
    sa.Column('partner_name', sa.String(length=200), nullable=False),
    sa.Column('interest_id', sa.Integer(), nullable=True),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('agreement_type', sa.String(length=60), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cluster', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['firm_id'], ['firm.id'], ),
    sa.ForeignKeyConstraint(['partner_firm_id'], ['firm.id'], ),
    sa.ForeignKeyConstraint(['interest_id'], ['interest.id'], ),
    sa.ForeignKeyConstraint(['recorded_by'], ['account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('achievement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_achievement_firm_id'), ['firm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_achievement_partner_firm_id'), ['partner_firm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_achievement_interest_id'), ['interest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_achievement_proposal_id'), ['proposal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_achievement_signed_on'), ['signed_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_achievement_cluster'), ['cluster'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('achievement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_achievement_cluster'))
        batch_op.drop_index(batch_op.f('ix_achievement_signed_on'))
        batch_op.drop_index(batch_op.f('ix_achievement_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_achievement_interest_id'))
        batch_op.drop_index(batch_op.f('ix_achievement_partner_firm_id'))
        batch_op.drop_index(batch_op.f('ix_achievement_firm_id'))
    op.drop_table('achievement')
