"""Runnable examples of the documentation (importable by the tests)."""
