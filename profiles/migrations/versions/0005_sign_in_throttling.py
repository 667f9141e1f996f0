"""sign-in throttling and lockout

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

Failed sign-ins are kept (by account name and by address) so repeated guesses
meet growing delays, and an account locks after too many failures in a row
until an administrator unlocks it.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0005'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('sign_in_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_sign_in_failure_username_at', 'sign_in_failure', ['username', 'at'], unique=False)
    op.create_index('ix_sign_in_failure_address_at', 'sign_in_failure', ['address', 'at'], unique=False)
    with op.batch_alter_table('account') as batch:
        batch.add_column(sa.Column('failed_sign_ins', sa.Integer(), server_default='0', nullable=False))
        batch.add_column(sa.Column('locked_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('account') as batch:
        batch.drop_column('locked_at')
        batch.drop_column('failed_sign_ins')
    op.drop_index('ix_sign_in_failure_address_at', table_name='sign_in_failure')
    op.drop_index('ix_sign_in_failure_username_at', table_name='sign_in_failure')
    op.drop_table('sign_in_failure')
