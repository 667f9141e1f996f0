"""pronounceable firm aliases

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

Anonymous firms get an alias people can say and remember ("Amber Falcon 42") instead
of a random hex handle ("F1A2B3C4D5E"). Each new alias is derived from the firm's old
random alias (so it reveals nothing about the firm, and the same database always gets
the same aliases); the old one is kept as `former_alias`, so links, bookmarks and
references using it still reach the firm. Going down restores the former aliases.
"""
import secrets
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0010'
down_revision: Union[str, None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    from profiles.aliases import unique_alias

    # Plain ALTER TABLE, not a batch: on SQLite a batch would copy the firm table, which the rows
    # referring to firms forbid while foreign keys are enforced.
    op.add_column('firm', sa.Column('former_alias', sa.String(length=16), nullable=True))
    op.create_index(op.f('ix_firm_former_alias'), 'firm', ['former_alias'], unique=True)

    bind = op.get_bind()
    firm = sa.table('firm', sa.column('id', sa.Integer), sa.column('alias', sa.String),
                    sa.column('former_alias', sa.String))
    rows = bind.execute(sa.select(firm.c.id, firm.c.alias).order_by(firm.c.id)).all()
    taken: set[str] = set()
    for row in rows:
        alias = unique_alias(row.alias.encode(), taken)
        taken.add(alias)
        bind.execute(firm.update().where(firm.c.id == row.id).values(alias=alias, former_alias=row.alias))


def downgrade() -> None:
    bind = op.get_bind()
    firm = sa.table('firm', sa.column('id', sa.Integer), sa.column('alias', sa.String),
                    sa.column('former_alias', sa.String))
    for row in bind.execute(sa.select(firm.c.id, firm.c.former_alias)).all():
        # firms created since the upgrade never had a hex alias: they get a new one
        former = row.former_alias or "F" + secrets.token_hex(5).upper()
        bind.execute(firm.update().where(firm.c.id == row.id).values(alias=former))
    op.drop_index(op.f('ix_firm_former_alias'), table_name='firm')
    op.execute('ALTER TABLE firm DROP COLUMN former_alias')
