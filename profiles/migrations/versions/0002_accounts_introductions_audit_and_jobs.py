"""accounts, introductions, audit and jobs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21

Adds accounts and credentials, expressions of interest, the audit log and
background jobs; firms get an opaque alias and both firms and profiles a list
of normalised concepts (backfilled here) for filtering.
"""
from typing import Sequence, Union

import secrets

from alembic import op
import sqlalchemy as sa


revision: str = '0002'
down_revision: Union[str, None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('password_hash', sa.String(length=300), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=True),
    sa.Column('cluster', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['firm_id'], ['firm.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_firm_id'), ['firm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_username'), ['username'], unique=True)

    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('entity', sa.String(length=20), nullable=False),
    sa.Column('entity_key', sa.String(length=80), nullable=False),
    sa.Column('cluster', sa.String(length=200), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entity', ['entity', 'entity_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_cluster'), ['cluster'], unique=False)

    op.create_table('credential',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('credential', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credential_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credential_secret_hash'), ['secret_hash'], unique=True)

    op.create_table('interest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('owner_firm_id', sa.Integer(), nullable=False),
    sa.Column('sender_firm_id', sa.Integer(), nullable=False),
    sa.Column('sender_profile_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('forwarded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('forwarded_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['account.id'], ),
    sa.ForeignKeyConstraint(['decided_by'], ['account.id'], ),
    sa.ForeignKeyConstraint(['forwarded_by'], ['account.id'], ),
    sa.ForeignKeyConstraint(['owner_firm_id'], ['firm.id'], ),
    sa.ForeignKeyConstraint(['profile_id'], ['profile.id'], ),
    sa.ForeignKeyConstraint(['sender_firm_id'], ['firm.id'], ),
    sa.ForeignKeyConstraint(['sender_profile_id'], ['profile.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('interest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interest_owner_firm_id'), ['owner_firm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interest_profile_id'), ['profile_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interest_sender_firm_id'), ['sender_firm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interest_status'), ['status'], unique=False)

    op.create_table('job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('cluster', sa.String(length=200), nullable=True),
    sa.Column('subject', sa.String(length=80), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_status'), ['status'], unique=False)

    with op.batch_alter_table('bid', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cluster', sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f('ix_bid_cluster'), ['cluster'], unique=False)

    with op.batch_alter_table('firm', schema=None) as batch_op:
        batch_op.add_column(sa.Column('alias', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('concepts', sa.JSON(), nullable=False, server_default='[]'))
    with op.batch_alter_table('profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extensions', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('concepts', sa.JSON(), nullable=False, server_default='[]'))
    _backfill()
    with op.batch_alter_table('firm', schema=None) as batch_op:
        batch_op.alter_column('alias', existing_type=sa.String(length=16), nullable=False)
        batch_op.create_index(batch_op.f('ix_firm_alias'), ['alias'], unique=True)

    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('decided_by', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_proposal_decided_by_account', 'account', ['decided_by'], ['id'])



def _backfill() -> None:
    from profiles.mapping import firm_concepts, profile_concepts
    from profiles.taxonomy.vocabulary import load_vocabulary

    vocabulary = load_vocabulary()
    bind = op.get_bind()
    firm = sa.table('firm', sa.column('id', sa.Integer), sa.column('alias', sa.String),
                    sa.column('capabilities', sa.JSON), sa.column('certifications', sa.JSON),
                    sa.column('concepts', sa.JSON))
    for row in bind.execute(sa.select(firm.c.id, firm.c.capabilities, firm.c.certifications)).all():
        phrases = [c["phrase"] for c in row.capabilities or []]
        bind.execute(firm.update().where(firm.c.id == row.id).values(
            alias=new_alias(), concepts=firm_concepts(phrases, row.certifications or [], vocabulary)))
    profile = sa.table('profile', sa.column('id', sa.Integer), sa.column('capabilities', sa.JSON),
                       sa.column('keywords', sa.JSON), sa.column('concepts', sa.JSON))
    for row in bind.execute(sa.select(profile.c.id, profile.c.capabilities, profile.c.keywords)).all():
        bind.execute(profile.update().where(profile.c.id == row.id).values(
            concepts=profile_concepts(row.capabilities or [], row.keywords or [], vocabulary)))


def new_alias() -> str:
    return "F" + secrets.token_hex(5).upper()


def downgrade() -> None:
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.drop_constraint('fk_proposal_decided_by_account', type_='foreignkey')
        batch_op.drop_column('decided_by')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('note')

    with op.batch_alter_table('profile', schema=None) as batch_op:
        batch_op.drop_column('concepts')
        batch_op.drop_column('extensions')

    with op.batch_alter_table('firm', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_firm_alias'))
        batch_op.drop_column('concepts')
        batch_op.drop_column('alias')

    with op.batch_alter_table('bid', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bid_cluster'))
        batch_op.drop_column('cluster')

    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_status'))

    op.drop_table('job')
    with op.batch_alter_table('interest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interest_status'))
        batch_op.drop_index(batch_op.f('ix_interest_sender_firm_id'))
        batch_op.drop_index(batch_op.f('ix_interest_profile_id'))
        batch_op.drop_index(batch_op.f('ix_interest_owner_firm_id'))

    op.drop_table('interest')
    with op.batch_alter_table('credential', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credential_secret_hash'))
        batch_op.drop_index(batch_op.f('ix_credential_account_id'))

    op.drop_table('credential')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_cluster'))
        batch_op.drop_index(batch_op.f('ix_audit_event_at'))
        batch_op.drop_index('ix_audit_entity')

    op.drop_table('audit_event')
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_username'))
        batch_op.drop_index(batch_op.f('ix_account_firm_id'))

    op.drop_table('account')
