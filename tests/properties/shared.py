"""What the property modules share, built at first use, never at import.

mutmut attributes to a test only the code that runs while the test runs: a
commune loaded at module import runs during collection, outside every test,
so the mutants it reaches are blamed on no test (or on the wrong one).
"""

from __future__ import annotations

import functools

import periscolaire as ps


@functools.cache
def cestas() -> ps.Commune:
    """The bundled Cestas 2024/2025 configuration, loaded once, at first use."""
    return ps.load_commune()
