"""TODO(subsidies): issue 14."""
