"""Monthly rollups of reports, kept on write, for statistics of whole months

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 14:40:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema, then fill the rollups from the reports already stored."""
    op.create_table('report_month_totals',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('district_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('instructor_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('reports', sa.Integer(), nullable=False),
    sa.Column('person_times', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_report_month_totals_district_id_districts')),
    sa.ForeignKeyConstraint(['instructor_id'], ['instructors.id'], name=op.f('fk_report_month_totals_instructor_id_instructors')),
    sa.PrimaryKeyConstraint('month', 'district_id', 'instructor_id', 'type', name=op.f('pk_report_month_totals'))
    )
    op.create_table('report_month_enterprises',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('district_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('enterprise_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('reports', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_report_month_enterprises_district_id_districts')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_report_month_enterprises_enterprise_id_enterprises')),
    sa.PrimaryKeyConstraint('month', 'district_id', 'enterprise_id', name=op.f('pk_report_month_enterprises'))
    )

    if op.get_bind().dialect.name == 'postgresql':
        month = "CAST(date_trunc('month', date) AS DATE)"
    else:
        month = "date(date, 'start of month')"
    op.execute(
        "INSERT INTO report_month_totals "
        "(month, district_id, instructor_id, type, reports, person_times) "
        f"SELECT {month}, district_id, instructor_id, type, count(*), sum(person_times) "
        "FROM reports WHERE deleted_at IS NULL "
        f"GROUP BY {month}, district_id, instructor_id, type"
    )
    op.execute(
        "INSERT INTO report_month_enterprises (month, district_id, enterprise_id, reports) "
        f"SELECT {month}, district_id, enterprise_id, count(*) "
        "FROM reports WHERE deleted_at IS NULL AND enterprise_id IS NOT NULL "
        f"GROUP BY {month}, district_id, enterprise_id"
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('report_month_enterprises')
    op.drop_table('report_month_totals')
