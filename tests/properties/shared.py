"""What the property modules share, built at first use, never at import.

mutmut attributes to a test only the code that runs while the test runs: a
commune loaded at module import runs during collection, outside every test,
so the mutants it reaches are blamed on no test (or on the wrong one).
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

import periscolaire as ps
from tests.stores import SERVERS, SKIP_SERVERS, server_url, store_url


@functools.cache
def cestas() -> ps.Commune:
    """The bundled Cestas 2024/2025 configuration, loaded once, at first use."""
    return ps.load_commune()


def on_every_store(
    machine: type[Any], *, sqlite: settings, servers: settings
) -> tuple[type[Any], type[Any], type[Any], type[Any]]:
    """The test cases of a state machine (a class with a ``url`` attribute)
    on the memory store, a SQLite file, PostgreSQL and MariaDB — the last two
    skipped with one line when their URL is not set."""
    folder = Path(tempfile.mkdtemp(prefix="periscolaire-machine-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)

    def on(name: str, url: str) -> type[Any]:
        return type(f"{machine.__name__}On{name.title()}", (machine,), {"url": url})

    on_sqlite = on("sqlite", store_url("sqlite", folder)).TestCase
    on_sqlite.settings = sqlite

    def on_server(backend: str) -> type[Any]:
        url = os.environ.get(SERVERS[backend])

        class Test(on(backend, url or "memory://").TestCase):  # type: ignore[misc]
            def setUp(self) -> None:
                if not url:
                    pytest.skip(SKIP_SERVERS)
                server_url(backend)  # migrated once per run

        Test.settings = servers
        return Test

    return machine.TestCase, on_sqlite, on_server("postgresql"), on_server("mariadb")
