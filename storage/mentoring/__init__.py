"""Mentoring (传帮带): pairs, the 1/2/3-month sign-offs and the mentee's checklist."""
