"""The message that asked for a reminder, leave or notice, unique, so an update handled again creates nothing twice

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-10 09:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TABLES = ('reminders', 'leaves', 'notices')


def upgrade() -> None:
    """Upgrade schema."""
    # A nullable column and a unique index: on SQLite neither needs the table copied.
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('request_key', sa.String(length=48), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_request_key'), ['request_key'], unique=True)


def downgrade() -> None:
    """Downgrade schema."""
    # Not in batch mode: on SQLite that would copy each table and drop the old one, which
    # foreign_keys=ON refuses once reminder_firings or notice_recipients point at its rows.
    # SQLite drops a column in place since 3.35.
    for table in reversed(TABLES):
        op.drop_index(op.f(f'ix_{table}_request_key'), table_name=table)
        op.drop_column(table, 'request_key')
