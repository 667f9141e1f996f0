"""interest notes per side

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

An expression of interest keeps one note for each side: `note` is written by the
profile owner's side (forwarding, accepting, declining), `sender_note` by the
sending side (withdrawing). Each note is internal to its side. An interest
withdrawn before it was forwarded can only carry the sender's note, so it moves.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0008'
down_revision: Union[str, None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('interest', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sender_note', sa.Text(), nullable=False, server_default=''))
    op.execute(
        "UPDATE interest SET sender_note = note, note = '' "
        "WHERE status = 'withdrawn' AND forwarded_at IS NULL AND note <> ''"
    )


def downgrade() -> None:
    op.execute("UPDATE interest SET note = sender_note WHERE sender_note <> '' AND note = ''")
    with op.batch_alter_table('interest', schema=None) as batch_op:
        batch_op.drop_column('sender_note')
