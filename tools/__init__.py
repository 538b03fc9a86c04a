"""Developer tools (not shipped): ``python -m tools.mutation``."""
