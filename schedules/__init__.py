"""What runs by time: reminders, digests, deadlines, and the outbox sender."""
