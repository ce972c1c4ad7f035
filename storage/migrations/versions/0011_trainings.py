"""Trainings and meetings: the training, its seats (RSVP, waiting list, check-in, breakout), wrong check-in codes

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 16:02:47.793723

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0011'
down_revision: Union[str, Sequence[str], None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('checkin_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('telegram_id', sa.BigInteger(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_attempts'))
    )
    with op.batch_alter_table('checkin_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_checkin_attempts_telegram_id_at', ['telegram_id', 'at'], unique=False)

    op.create_table('trainings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('format', sa.String(length=16), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=128), nullable=False),
    sa.Column('audience', sa.String(length=16), nullable=False),
    sa.Column('audience_value', sa.String(length=32), nullable=True),
    sa.Column('scope_district_id', sa.Integer(), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('queue_seq', sa.Integer(), nullable=False),
    sa.Column('schedule_version', sa.Integer(), nullable=False),
    sa.Column('scheduled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('day_reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hour_reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('checkin_code', sa.String(length=8), nullable=False),
    sa.Column('checkin_token', sa.String(length=32), nullable=False),
    sa.Column('code_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('breakouts', sa.Integer(), nullable=False),
    sa.Column('request_key', sa.String(length=48), nullable=True),
    sa.ForeignKeyConstraint(['scope_district_id'], ['districts.id'], name=op.f('fk_trainings_scope_district_id_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trainings')),
    sa.UniqueConstraint('checkin_token', name=op.f('uq_trainings_checkin_token'))
    )
    with op.batch_alter_table('trainings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trainings_checkin_code'), ['checkin_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_trainings_request_key'), ['request_key'], unique=True)
        batch_op.create_index('ix_trainings_status_starts_at', ['status', 'starts_at'], unique=False)

    op.create_table('training_seats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('training_id', sa.Integer(), nullable=False),
    sa.Column('instructor_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('invited_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('queue_no', sa.Integer(), nullable=True),
    sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('group_no', sa.Integer(), nullable=True),
    sa.Column('side', sa.String(length=16), nullable=True),
    sa.Column('lead', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['instructor_id'], ['instructors.id'], name=op.f('fk_training_seats_instructor_id_instructors')),
    sa.ForeignKeyConstraint(['training_id'], ['trainings.id'], name=op.f('fk_training_seats_training_id_trainings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_seats')),
    sa.UniqueConstraint('training_id', 'instructor_id', name=op.f('uq_training_seats_training_id_instructor_id'))
    )
    with op.batch_alter_table('training_seats', schema=None) as batch_op:
        batch_op.create_index('ix_training_seats_instructor_id_checked_in_at', ['instructor_id', 'checked_in_at'], unique=False)
        batch_op.create_index('ix_training_seats_training_id_status', ['training_id', 'status'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('training_seats', schema=None) as batch_op:
        batch_op.drop_index('ix_training_seats_training_id_status')
        batch_op.drop_index('ix_training_seats_instructor_id_checked_in_at')

    op.drop_table('training_seats')
    with op.batch_alter_table('trainings', schema=None) as batch_op:
        batch_op.drop_index('ix_trainings_status_starts_at')
        batch_op.drop_index(batch_op.f('ix_trainings_request_key'))
        batch_op.drop_index(batch_op.f('ix_trainings_checkin_code'))

    op.drop_table('trainings')
    with op.batch_alter_table('checkin_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_checkin_attempts_telegram_id_at')

    op.drop_table('checkin_attempts')
