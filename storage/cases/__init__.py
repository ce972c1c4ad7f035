"""TODO(cases): issue 14."""
