"""Stores for tests: every backend, the same tests.

``memory`` and ``sqlite`` always run. PostgreSQL and MariaDB run when their
URL is set (``.ci/run`` sets both); a URL set to a server that does not answer
fails the suite, it is never skipped:

    PERISCOLAIRE_TEST_POSTGRESQL_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test
    PERISCOLAIRE_TEST_MARIADB_URL=mysql+pymysql://root@127.0.0.1:3306/test

The first test to use a database drops periscolaire's tables there and runs
the shipped migrations (``periscolaire db upgrade``): use a test database.
Every register of a test gets a commune key of its own, so tests never see
each other's rows.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

import periscolaire as ps

BACKENDS = ("memory", "sqlite", "postgresql", "mariadb")
SQL_BACKENDS = ("sqlite", "postgresql", "mariadb")
SERVERS = {
    "postgresql": "PERISCOLAIRE_TEST_POSTGRESQL_URL",
    "mariadb": "PERISCOLAIRE_TEST_MARIADB_URL",
}
SKIP_SERVERS = (
    "PostgreSQL/MariaDB not tested: set PERISCOLAIRE_TEST_POSTGRESQL_URL and "
    "PERISCOLAIRE_TEST_MARIADB_URL to run them (values in .ci/run)"
)

_keys = itertools.count(1)
_ready: dict[str, str] = {}


def unique_key(prefix: str = "t") -> str:
    """A commune key no other test of this run uses."""
    return f"{prefix}{os.getpid()}-{next(_keys)}"


def keyed(commune: ps.Commune, prefix: str = "t") -> ps.Commune:
    """The same configuration under a fresh commune key (its own rows)."""
    return attrs.evolve(commune, key=unique_key(prefix))


def reset_database(url: str) -> None:
    """Drop periscolaire's tables and run the migrations from scratch."""
    import sqlalchemy as sa

    from periscolaire.store import sql

    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            sql.metadata.drop_all(conn)
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {sql.VERSION_TABLE}"))
    except sa.exc.OperationalError as exc:
        pytest.fail(f"{url} is set but does not answer: {exc.orig}")
    finally:
        engine.dispose()
    ps.open_store(url, upgrade=True).close()


def server_url(backend: str) -> str:
    """The URL of a database server backend, ready (migrated once per run);
    skips when its variable is unset."""
    url = os.environ.get(SERVERS[backend])
    if not url:
        pytest.skip(SKIP_SERVERS)
    if backend not in _ready:
        reset_database(url)
        _ready[backend] = url
    return url


def store_url(backend: str, directory: Path) -> str:
    if backend == "memory":
        return "memory://"
    if backend == "sqlite":
        url = f"sqlite:///{directory / 'periscolaire.db'}"
        if not (directory / "periscolaire.db").exists():
            ps.open_store(url, upgrade=True).close()
        return url
    return server_url(backend)


class Backend:
    """One backend for one test: registers on fresh commune keys, and
    « restarts » (a new store on the same URL, as a new process would open)."""

    def __init__(self, name: str, url: str) -> None:
        self.name = name
        self.url = url
        self._stores: list[ps.Store] = []
        self._memory: ps.Store | None = None

    def store(self, **options: Any) -> ps.Store:
        if self.name == "memory":  # one process: the same store is the only way back
            if self._memory is None:
                self._memory = ps.open_store("memory://")
            return self._memory
        store = ps.open_store(self.url, **options)
        self._stores.append(store)
        return store

    def register(self, commune: ps.Commune, *, fresh: bool = True) -> ps.Register:
        return ps.Register(keyed(commune) if fresh else commune, store=self.store())

    def reopen(self, register: ps.Register) -> ps.Register:
        """The same commune's register through a new store (a restart)."""
        return ps.Register(register.commune, store=self.store())

    def close(self) -> None:
        for store in self._stores:
            store.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    chosen = Backend(request.param, store_url(request.param, tmp_path))
    yield chosen
    chosen.close()


@pytest.fixture(params=SQL_BACKENDS)
def sql_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    chosen = Backend(request.param, store_url(request.param, tmp_path))
    yield chosen
    chosen.close()


@pytest.fixture
def register(cestas: ps.Commune, backend: Backend) -> ps.Register:
    """The bundled Cestas register, on every store (a module may define its own)."""
    return backend.register(cestas)
