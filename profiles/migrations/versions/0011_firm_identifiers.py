"""firm identifiers and duplicate evidence

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

Firms get two optional identifiers, a VAT number and a company registry number
(normalised: upper case, no spaces, dots or dashes). They identify the firm, so they
are shown only where its contact details are. Imports use them, with the name, place
and website, to tell whether an incoming firm is one already stored; a pair of firms
found to look alike keeps the evidence for that (`evidence`, shown to the advisor
who reviews the pair).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0011'
down_revision: Union[str, None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Plain ALTER TABLE, not a batch: on SQLite a batch would copy the firm table, which the rows
    # referring to firms forbid while foreign keys are enforced.
    op.add_column('firm', sa.Column('vat_number', sa.String(length=20), nullable=True))
    op.add_column('firm', sa.Column('registry_number', sa.String(length=30), nullable=True))
    op.create_index(op.f('ix_firm_vat_number'), 'firm', ['vat_number'], unique=False)
    op.create_index(op.f('ix_firm_registry_number'), 'firm', ['registry_number'], unique=False)
    op.add_column('duplicate_pair', sa.Column('evidence', sa.JSON(), nullable=False, server_default='{}'))


def downgrade() -> None:
    op.execute('ALTER TABLE duplicate_pair DROP COLUMN evidence')
    op.drop_index(op.f('ix_firm_registry_number'), table_name='firm')
    op.drop_index(op.f('ix_firm_vat_number'), table_name='firm')
    op.execute('ALTER TABLE firm DROP COLUMN registry_number')
    op.execute('ALTER TABLE firm DROP COLUMN vat_number')
