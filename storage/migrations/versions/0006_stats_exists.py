"""An index on report_month_enterprises by enterprise, for counting covered enterprises with EXISTS

It holds `reports` too, so that the probe (is there a month of the period, in the district if
one is asked, with reports > 0?) reads the index alone.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-09 10:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('report_month_enterprises', schema=None) as batch_op:
        batch_op.create_index('ix_report_month_enterprises_enterprise_id_district_id_month', ['enterprise_id', 'district_id', 'month', 'reports'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('report_month_enterprises', schema=None) as batch_op:
        batch_op.drop_index('ix_report_month_enterprises_enterprise_id_district_id_month')
