"""Campaign tags on reports (#四必谈)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 16:10:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('report_tags',
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_report_tags_report_id_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('report_id', 'tag', name=op.f('pk_report_tags'))
    )
    with op.batch_alter_table('report_tags', schema=None) as batch_op:
        batch_op.create_index('ix_report_tags_tag_report_id', ['tag', 'report_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('report_tags', schema=None) as batch_op:
        batch_op.drop_index('ix_report_tags_tag_report_id')
    op.drop_table('report_tags')
