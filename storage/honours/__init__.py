"""TODO(honours): issue 14."""
