"""The .ics file an attendee opens to put a training in their phone's calendar.

Written by the icalendar library (RFC 5545: escaping, line folding, UTC times). The UID stays
the same for a training and SEQUENCE follows its moves, so a calendar that imports the file of
a moved training updates the event instead of adding a second one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar, Event

from storage.common.times import aware
from storage.models import Training, TrainingStatus

PRODUCT = "-//xieshang//trainings//ZH"


def calendar_file(training: Training, *, now: datetime | None = None) -> bytes:
    """The training as one VEVENT, alarms left to the phone."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"training-{training.id}@xieshang")
    event.add("dtstamp", now or datetime.now(UTC))
    event.add("dtstart", aware(training.starts_at))
    event.add("dtend", aware(training.ends_at))
    event.add("summary", training.title)
    event.add("location", training.place)
    event.add("sequence", training.schedule_version)
    if training.status == TrainingStatus.CANCELLED.value:
        event.add("status", "CANCELLED")
    calendar.add_component(event)
    return calendar.to_ical()
