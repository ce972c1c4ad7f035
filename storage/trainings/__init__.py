"""Trainings and meetings (培训 / 座谈会): creation, answers with a waiting list, reminders,
check-in, breakout groups."""
