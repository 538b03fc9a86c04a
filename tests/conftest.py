"""Shared fixtures and the Hypothesis profiles.

The default profile, ``ci``, is deterministic (derandomized, no deadline) so
that the suite gives the same answer on every machine; run
``HYPOTHESIS_PROFILE=explore pytest`` to search with fresh random examples.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

import periscolaire as ps

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile(
    "explore",
    deadline=None,
    max_examples=500,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def cestas() -> ps.Commune:
    """The bundled Cestas 2024/2025 configuration (built once)."""
    return ps.load_commune()


@pytest.fixture(scope="session")
def cal(cestas: ps.Commune) -> ps.SchoolCalendar:
    return cestas.calendar


# Every backend, the same tests (tests/stores.py).
from tests.stores import SKIP_SERVERS, backend, register, sql_backend  # noqa: E402, F401


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    """Tests skipped for want of a database server share one summary line."""
    report = yield
    longrepr = getattr(report, "longrepr", None)
    if getattr(report, "skipped", False) and isinstance(longrepr, tuple) and SKIP_SERVERS in str(longrepr[2]):
        report.longrepr = ("tests/stores.py", 0, f"Skipped: {SKIP_SERVERS}")
    return report
