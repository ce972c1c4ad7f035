"""Call-ups with their invitations, and the dispatch board's districts and industries

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 15:20:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('call_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('target', sa.String(length=128), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.Column('target_district_id', sa.Integer(), nullable=True),
    sa.Column('target_industry', sa.String(length=64), nullable=True),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('per_district', sa.Integer(), nullable=False),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('districts', sa.JSON(), nullable=False),
    sa.Column('starts', sa.Date(), nullable=False),
    sa.Column('ends', sa.Date(), nullable=False),
    sa.Column('answer_minutes', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('members', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('full_told_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deadline_told_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rating_asked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('request_key', sa.String(length=48), nullable=True),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_call_ups_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['target_district_id'], ['districts.id'], name=op.f('fk_call_ups_target_district_id_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_ups'))
    )
    with op.batch_alter_table('call_ups', schema=None) as batch_op:
        batch_op.create_index('ix_call_ups_status_deadline', ['status', 'deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_call_ups_request_key'), ['request_key'], unique=True)

    op.create_table('call_up_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_up_id', sa.Integer(), nullable=False),
    sa.Column('instructor_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('invited_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('rating_comment', sa.Text(), nullable=True),
    sa.Column('rated_by', sa.BigInteger(), nullable=True),
    sa.Column('rated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['call_up_id'], ['call_ups.id'], name=op.f('fk_call_up_invitations_call_up_id_call_ups')),
    sa.ForeignKeyConstraint(['instructor_id'], ['instructors.id'], name=op.f('fk_call_up_invitations_instructor_id_instructors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_up_invitations')),
    sa.UniqueConstraint('call_up_id', 'instructor_id', name=op.f('uq_call_up_invitations_call_up_id_instructor_id'))
    )
    with op.batch_alter_table('call_up_invitations', schema=None) as batch_op:
        batch_op.create_index('ix_call_up_invitations_status_expires_at', ['status', 'expires_at'], unique=False)
        batch_op.create_index('ix_call_up_invitations_instructor_id_status', ['instructor_id', 'status'], unique=False)

    # Plain ADD COLUMN with a default: on SQLite no copy of the table (see 0007's downgrade).
    op.add_column('instructors', sa.Column('assigned_districts', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
    op.add_column('instructors', sa.Column('assigned_industries', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column('instructors', 'assigned_industries')
    op.drop_column('instructors', 'assigned_districts')
    with op.batch_alter_table('call_up_invitations', schema=None) as batch_op:
        batch_op.drop_index('ix_call_up_invitations_instructor_id_status')
        batch_op.drop_index('ix_call_up_invitations_status_expires_at')
    op.drop_table('call_up_invitations')
    with op.batch_alter_table('call_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_ups_request_key'))
        batch_op.drop_index('ix_call_ups_status_deadline')
    op.drop_table('call_ups')
