"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-21
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0001'
down_revision: Union[str, None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('bid',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=256), nullable=False),
    sa.Column('customer', sa.String(length=200), nullable=False),
    sa.Column('customer_country', sa.String(length=2), nullable=False),
    sa.Column('delivery_country', sa.String(length=2), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('volume_per_year', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('min_size', sa.Integer(), nullable=False),
    sa.Column('max_size', sa.Integer(), nullable=False),
    sa.Column('min_countries', sa.Integer(), nullable=False),
    sa.Column('max_per_country', sa.Integer(), nullable=True),
    sa.Column('required_kinds', sa.JSON(), nullable=False),
    sa.Column('lead', sa.JSON(), nullable=False),
    sa.Column('excluded_firms', sa.JSON(), nullable=False),
    sa.Column('excluded_pairs', sa.JSON(), nullable=False),
    sa.Column('locked_firms', sa.JSON(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('bid', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bid_key'), ['key'], unique=True)
        batch_op.create_index(batch_op.f('ix_bid_status'), ['status'], unique=False)

    op.create_table('firm',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('city', sa.String(length=120), nullable=True),
    sa.Column('region', sa.String(length=120), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('employees', sa.Integer(), nullable=True),
    sa.Column('size_class', sa.String(length=10), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('nace', sa.JSON(), nullable=False),
    sa.Column('capabilities', sa.JSON(), nullable=False),
    sa.Column('certifications', sa.JSON(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('export_countries', sa.JSON(), nullable=False),
    sa.Column('max_concurrent_bids', sa.Integer(), nullable=False),
    sa.Column('cluster', sa.String(length=200), nullable=True),
    sa.Column('excluded_partners', sa.JSON(), nullable=False),
    sa.Column('website', sa.String(length=300), nullable=True),
    sa.Column('contact_name', sa.String(length=200), nullable=True),
    sa.Column('contact_email', sa.String(length=200), nullable=True),
    sa.Column('contact_phone', sa.String(length=60), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('firm', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_firm_cluster'), ['cluster'], unique=False)
        batch_op.create_index(batch_op.f('ix_firm_country'), ['country'], unique=False)
        batch_op.create_index(batch_op.f('ix_firm_key'), ['key'], unique=True)

    op.create_table('match_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('config', sa.JSON(), nullable=False),
    sa.Column('config_hash', sa.String(length=64), nullable=False),
    sa.Column('profiles_scored', sa.Integer(), nullable=False),
    sa.Column('candidate_pairs', sa.Integer(), nullable=False),
    sa.Column('matches_stored', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('bid_requirement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bid_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('capability', sa.String(length=200), nullable=False),
    sa.Column('mandatory', sa.Boolean(), nullable=False),
    sa.Column('certifications', sa.JSON(), nullable=False),
    sa.Column('volume_per_year', sa.Integer(), nullable=True),
    sa.Column('min_fit', sa.Float(), nullable=True),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['bid_id'], ['bid.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('bid_id', 'key', name='uq_bid_requirement_key')
    )
    with op.batch_alter_table('bid_requirement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bid_requirement_bid_id'), ['bid_id'], unique=False)

    op.create_table('profile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=3), nullable=False),
    sa.Column('title', sa.String(length=256), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=True),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('capabilities', sa.JSON(), nullable=False),
    sa.Column('partner_sought', sa.Text(), nullable=False),
    sa.Column('partnership_types', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['firm_id'], ['firm.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reference')
    )
    with op.batch_alter_table('profile', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_profile_firm_id'), ['firm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_profile_key'), ['key'], unique=True)
        batch_op.create_index(batch_op.f('ix_profile_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_profile_type'), ['type'], unique=False)

    op.create_table('proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bid_id', sa.Integer(), nullable=False),
    sa.Column('batch', sa.String(length=40), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('feasible', sa.Boolean(), nullable=False),
    sa.Column('objective', sa.Float(), nullable=True),
    sa.Column('solver', sa.String(length=10), nullable=False),
    sa.Column('solver_status', sa.String(length=40), nullable=False),
    sa.Column('gap', sa.Float(), nullable=True),
    sa.Column('solve_seconds', sa.Float(), nullable=False),
    sa.Column('build_seconds', sa.Float(), nullable=False),
    sa.Column('plan', sa.JSON(), nullable=False),
    sa.Column('explanation', sa.JSON(), nullable=False),
    sa.Column('config', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bid_id'], ['bid.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_bid_id'), ['bid_id'], unique=False)
        batch_op.create_index('ix_proposal_bid_rank', ['bid_id', 'batch', 'rank'], unique=False)

    op.create_table('match',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('other_profile_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('components', sa.JSON(), nullable=False),
    sa.Column('explanation', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['other_profile_id'], ['profile.id'], ),
    sa.ForeignKeyConstraint(['profile_id'], ['profile.id'], ),
    sa.ForeignKeyConstraint(['run_id'], ['match_run.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('profile_id', 'other_profile_id', name='uq_match_pair')
    )
    with op.batch_alter_table('match', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_other_profile_id'), ['other_profile_id'], unique=False)
        batch_op.create_index('ix_match_profile_rank', ['profile_id', 'rank'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_run_id'), ['run_id'], unique=False)

    op.create_table('proposal_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('is_lead', sa.Boolean(), nullable=False),
    sa.Column('covers', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['firm_id'], ['firm.id'], ),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('proposal_id', 'firm_id', name='uq_proposal_member')
    )
    with op.batch_alter_table('proposal_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_member_firm_id'), ['firm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_member_proposal_id'), ['proposal_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('proposal_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_member_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_proposal_member_firm_id'))

    op.drop_table('proposal_member')
    with op.batch_alter_table('match', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_run_id'))
        batch_op.drop_index('ix_match_profile_rank')
        batch_op.drop_index(batch_op.f('ix_match_other_profile_id'))

    op.drop_table('match')
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_index('ix_proposal_bid_rank')
        batch_op.drop_index(batch_op.f('ix_proposal_bid_id'))

    op.drop_table('proposal')
    with op.batch_alter_table('profile', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_profile_type'))
        batch_op.drop_index(batch_op.f('ix_profile_status'))
        batch_op.drop_index(batch_op.f('ix_profile_key'))
        batch_op.drop_index(batch_op.f('ix_profile_firm_id'))

    op.drop_table('profile')
    with op.batch_alter_table('bid_requirement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bid_requirement_bid_id'))

    op.drop_table('bid_requirement')
    op.drop_table('match_run')
    with op.batch_alter_table('firm', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_firm_key'))
        batch_op.drop_index(batch_op.f('ix_firm_country'))
        batch_op.drop_index(batch_op.f('ix_firm_cluster'))

    op.drop_table('firm')
    with op.batch_alter_table('bid', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bid_status'))
        batch_op.drop_index(batch_op.f('ix_bid_key'))

    op.drop_table('bid')
