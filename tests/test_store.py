"""Opening stores: URLs, schema versions, the ``periscolaire db`` commands,
and the optional extras."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

import periscolaire as ps
from periscolaire.cli import main
from periscolaire.store.sql.schema import HEAD
from tests.stores import Backend

DUPONT = ps.Family("F-DUPONT", "DUPONT", (ps.Child("paolo", "Paolo", "DUPONT"),))
NOW = datetime(2024, 8, 26, 10)


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'portail.db'}"


def test_memory_is_the_default_store_of_a_register(cestas: ps.Commune) -> None:
    assert ps.Register(cestas).store.url == "memory://"


@pytest.mark.parametrize("url", ["oracle://scott@db", "portail.db", "sqlite://", "sqlite:///:memory:"])
def test_an_unknown_or_unusable_url_is_a_store_error(url: str) -> None:
    with pytest.raises(ps.StoreError) as info:
        ps.open_store(url)
    assert info.value.code in ("unknown_url", "bad_url")


def test_a_url_that_is_not_a_string_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        ps.open_store(None)  # type: ignore[arg-type]


def test_an_empty_database_names_the_command_that_creates_the_tables(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    with pytest.raises(ps.SchemaError) as info:
        ps.open_store(url)
    assert info.value.code == "schema_missing"
    assert info.value.command == f"periscolaire db upgrade {url}"
    assert info.value.command in info.value.message


def test_db_upgrade_creates_the_tables_and_db_current_says_so(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    out = io.StringIO()
    assert main(["db", "current", url], out) == 1
    assert "aucune table" in out.getvalue()
    out = io.StringIO()
    assert main(["db", "upgrade", url], out) == 0
    assert f"révision {HEAD}" in out.getvalue()
    out = io.StringIO()
    assert main(["db", "current", url], out) == 0
    assert "à jour" in out.getvalue()
    ps.open_store(url).close()  # opens without error now


def test_upgrade_is_idempotent(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    ps.open_store(url, upgrade=True).close()
    ps.open_store(url, upgrade=True).close()
    assert main(["db", "current", url], io.StringIO()) == 0


def _stamp(url: str, revision: str) -> None:
    import sqlalchemy as sa

    from periscolaire.store.sql import VERSION_TABLE

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f"UPDATE {VERSION_TABLE} SET version_num = :v"), {"v": revision})
    engine.dispose()


def test_a_schema_newer_than_the_library_asks_to_upgrade_the_library(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    ps.open_store(url, upgrade=True).close()
    _stamp(url, "9999")
    with pytest.raises(ps.SchemaError) as info:
        ps.open_store(url)
    assert info.value.code == "schema_newer"
    assert info.value.command == ""
    assert "mettez periscolaire à jour" in info.value.message


def test_a_schema_made_by_the_hosts_own_migrations_is_accepted(tmp_path: Path) -> None:
    import sqlalchemy as sa

    from periscolaire.store.sql import metadata

    url = sqlite_url(tmp_path)
    engine = sa.create_engine(url)
    metadata.create_all(engine)  # the host's own migrations created the tables
    engine.dispose()
    store = ps.open_store(url)  # no periscolaire_alembic_version: every table and column is checked
    register = ps.Register(ps.load_commune(), store=store)
    assert len(register) == 0
    store.close()


def test_a_hosts_schema_missing_a_column_is_refused(tmp_path: Path) -> None:
    import sqlalchemy as sa

    from periscolaire.store.sql import metadata

    url = sqlite_url(tmp_path)
    engine = sa.create_engine(url)
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE periscolaire_journal DROP COLUMN transmitted_at"))
    engine.dispose()
    with pytest.raises(ps.SchemaError) as info:
        ps.open_store(url)
    assert info.value.code == "schema_incomplete"
    ps.open_store(url, check_schema=False).close()  # the host's responsibility, then


def test_looking_at_a_missing_sqlite_file_does_not_create_it(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    with pytest.raises(ps.SchemaError):
        ps.open_store(url)
    assert main(["db", "current", url], io.StringIO()) == 1
    assert not (tmp_path / "portail.db").exists()


def test_an_unreachable_server_is_a_store_error_not_a_driver_traceback() -> None:
    with pytest.raises(ps.StoreError) as info:
        ps.open_store("postgresql+psycopg://postgres@127.0.0.1:1/test")
    assert info.value.code == "unreachable"
    assert "127.0.0.1:1" in info.value.message


def test_the_cli_reports_an_unreachable_server_on_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "current", "postgresql+psycopg://postgres@127.0.0.1:1/test"], io.StringIO()) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("periscolaire: erreur : Stockage injoignable")


def test_a_password_never_appears_in_the_store_url() -> None:
    with pytest.raises(ps.StoreError) as info:
        ps.open_store("postgresql+psycopg://postgres:s3cret@127.0.0.1:1/test")
    assert "s3cret" not in info.value.message


_WITHOUT_SQLALCHEMY = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "sqlalchemy" or name.startswith("sqlalchemy."):
            raise ModuleNotFoundError(name)
sys.meta_path.insert(0, Block())
import periscolaire as ps
register = ps.Register(ps.load_commune())       # memory needs nothing more
try:
    ps.open_store("sqlite:///never.db")
except ps.MissingExtra as exc:
    print(exc.code, "|", exc.message)
"""


def test_sql_stores_without_sqlalchemy_name_the_extra_to_install(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", _WITHOUT_SQLALCHEMY], capture_output=True, text=True, check=True, cwd=tmp_path
    ).stdout
    assert out.startswith("missing_extra |")
    assert "pip install 'periscolaire[sql]'" in out
    assert not (tmp_path / "never.db").exists()


def test_import_periscolaire_and_a_memory_register_load_no_database_library() -> None:
    code = (
        "import sys, periscolaire as ps; ps.Register(ps.load_commune());"
        "print(sorted(m for m in ('sqlalchemy', 'alembic', 'psycopg', 'pymysql') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_shipped_migrations_create_exactly_the_tables_of_the_metadata(sql_backend: Backend) -> None:
    # What a host adds to its own Alembic environment (periscolaire.store.sql.metadata)
    # and what `periscolaire db upgrade` creates never drift apart.
    import sqlalchemy as sa
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from periscolaire.store.sql import metadata

    engine = sa.create_engine(sql_backend.url)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        differences = [
            d
            for d in compare_metadata(context, metadata)
            if not (d[0] == "remove_table" and d[1].name not in metadata.tables)
        ]
    engine.dispose()
    assert differences == []


def test_memory_accepts_the_options_of_a_store_it_does_not_need() -> None:
    # The same start-up code opens memory:// in unit tests and a database in production.
    assert ps.open_store("memory://", upgrade=True, check_schema=False).url == "memory://"
    with pytest.raises(ps.StoreError) as info:
        ps.open_store("memory://", pool_size=3)
    assert info.value.code == "unknown_option"


# -- bad arguments are typed errors, never a driver's traceback --------------------------


@pytest.fixture
def register(cestas: ps.Commune) -> ps.Register:
    return ps.Register(cestas)


@pytest.mark.parametrize(
    "call",
    [
        lambda r: r.set_capacity("MERCREDI", date(2024, 9, 11), -1),
        lambda r: r.set_capacity("MERCREDI", date(2024, 9, 11), 2**40),
        lambda r: r.set_capacity("MERCREDI", "2024-09-11", 3),
        lambda r: r.transmit("2024-08-27T02:00"),
        lambda r: r.mark_sent([1]),
        lambda r: r.status("paolo", "MERCREDI", "2024-09-11"),
        lambda r: r.confirm(DUPONT, {("paolo", "MERCREDI", "2024-09-11"): True}, NOW),
        lambda r: r.confirm(DUPONT, {("paolo", "MERCREDI", date(2024, 9, 11)): "yes"}, NOW),
        lambda r: r.confirm(DUPONT, [("paolo", "MERCREDI", date(2024, 9, 11))], NOW),
        lambda r: r.load(["a row"]),
        lambda r: ps.Register(r.commune, store="memory://"),  # type: ignore[arg-type]
    ],
)
def test_a_bad_argument_is_a_typed_error(register: ps.Register, call: Any) -> None:
    with pytest.raises(ps.InvalidArgument) as info:
        call(register)
    assert isinstance(info.value, TypeError)  # except TypeError still catches it
    assert info.value.message


@pytest.mark.parametrize(
    ("child_id", "code"), [("x" * 101, "too_long"), ("zoé\x00", "bad_character"), ("\ud800", "bad_character")]
)
def test_an_id_no_database_could_keep_is_refused_at_once(child_id: str, code: str) -> None:
    with pytest.raises(ps.InvalidData) as info:
        ps.Child(child_id, "Zoé", "Z")
    assert (info.value.path, info.value.code) == ("id", code)


def test_loading_two_reservations_with_one_sequence_is_refused(register: ps.Register) -> None:
    rows = [
        ps.Reservation(child, "MERCREDI", date(2024, 9, 11), f"F-{child}", "waitlisted", sequence=0)
        for child in ("ann", "bob")
    ]
    with pytest.raises(ps.BookingError) as info:
        register.load(rows)
    assert info.value.code == "duplicate_sequence"
    assert len(register) == 0


def test_loading_more_accepted_than_an_agents_places_is_refused(register: ps.Register) -> None:
    register.set_capacity("MERCREDI", date(2024, 9, 11), 1)
    rows = [
        ps.Reservation(child, "MERCREDI", date(2024, 9, 11), f"F-{child}", "accepted", sequence=i)
        for i, child in enumerate(("ann", "bob"), start=1)
    ]
    with pytest.raises(ps.BookingError) as info:
        register.load(rows)
    assert info.value.code == "overbooked"


def test_an_unknown_store_option_is_a_store_error(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    with pytest.raises(ps.StoreError) as info:
        ps.open_store(url, upgrade=True, pool_sizee=3)
    assert info.value.code == "unknown_option"


def test_upgrading_a_schema_newer_than_the_library_is_refused_with_advice(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    ps.open_store(url, upgrade=True).close()
    _stamp(url, "9999")
    with pytest.raises(ps.SchemaError) as info:
        ps.open_store(url, upgrade=True)
    assert info.value.code == "schema_newer"
    out = io.StringIO()
    assert main(["db", "current", url], out) == 1
    assert "mettez periscolaire à jour" in out.getvalue()
    assert main(["db", "upgrade", url, "--revision", "bogus"], io.StringIO()) == 2


def test_tables_made_by_hand_without_their_version_are_reported_as_such(tmp_path: Path) -> None:
    import sqlalchemy as sa

    from periscolaire.store.sql import slot_table

    url = sqlite_url(tmp_path)
    engine = sa.create_engine(url)
    slot_table.create(engine)  # one table of the library's, made by hand
    engine.dispose()
    for upgrade in (False, True):
        with pytest.raises(ps.SchemaError) as info:
            ps.open_store(url, upgrade=upgrade)
        assert info.value.code == "schema_incomplete"
