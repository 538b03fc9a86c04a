"""Benchmarks of periscolaire: ``python -m benchmarks`` prints every figure."""
