"""Mentoring (传帮带): pairs, the 1/2/3-month sign-offs and the mentee's checklist.

pairs.py      /mentor: finding the two people by name and setting Instructor.mentor_id
signoffs.py   the sign-offs: opened when due, asked once, signed by the mentor, escalated once
progress.py   what /mentoring and the evaluation's dossier read: each step's state, the
              checklist that ticks itself, and `summaries` per instructor
"""

from storage.mentoring.progress import MentoringSummary, summaries

__all__ = ["MentoringSummary", "summaries"]
