"""Closed-loop evaluation harnesses: the brain's cores driven together in lockstep with the
simulator, for scripts and tests (nothing in the running brain imports this package)."""
