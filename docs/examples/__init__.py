"""Hosts embedding periscolaire (see docs/embedding.md)."""
