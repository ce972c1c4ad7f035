"""Benchmarks that print figures (time, memory) and assert nothing: `python -m bench.<name>`."""
