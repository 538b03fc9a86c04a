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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

import periscolaire as ps
from tests.stores import SERVERS, SKIP_SERVERS, server_url, store_url

#: The second test commune (tests/communes/): other deadlines per activity,
#: a cancellation rule of its own, closures, zone C (its header says why).
VALLON_FILE = Path(__file__).parents[1] / "communes" / "vallon-2024-2025.toml"


@functools.cache
def cestas() -> ps.Commune:
    """The bundled Cestas 2024/2025 configuration, loaded once, at first use."""
    return ps.load_commune()


@functools.cache
def vallon() -> ps.Commune:
    """Vallon 2024/2025, the deliberately different test commune, loaded once, at first use."""
    return ps.load_commune(VALLON_FILE)


#: The communes the calendar and booking properties hold on, by name: loaders,
#: called inside the tests (never at import).
COMMUNES: dict[str, Callable[[], ps.Commune]] = {"cestas": cestas, "vallon": vallon}

#: ``@on_every_commune`` gives a test a ``load`` argument: each commune's loader in turn.
on_every_commune = pytest.mark.parametrize("load", list(COMMUNES.values()), ids=list(COMMUNES))


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
