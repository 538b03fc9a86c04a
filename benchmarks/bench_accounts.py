"""Issue 10 figures for the family accounts: the nightly debit through a store, and its floor.

    python -m benchmarks.bench_accounts            # a day of 5,000; a year of 10,000 families
    python -m benchmarks.bench_accounts --quick    # the year with 2,000 families, one run in 5

**Debiting a day.** The régie's nightly debit of 2 September 2024 (Cestas'
first school day): 5,000 canteen consumptions (``RESTAURATION``, 3.60 €) of
2,500 families of two children each, given as accepted ``ps.Reservation``
objects, through ``ps.Families(commune, store).agent("regie")
.debit_consumptions(reservations, today=..., price=...)`` — a new store (as a
nightly process starting), a commune key of its own (an empty ledger: the
account rows are created on the way), the library's batches of 200 families,
each one unit of work. Then the same run again: every consumption is debited
already, nothing is written. Best of 5.

**A year of nightly runs.** 10,000 families (one or two children); a run
after every school day (``RESTAURATION``: one family in five, each child)
and every Wednesday (``MERCREDI``, 12.40 €: one family in ten): 174 runs
debiting 2 September 2024 to 4 July 2025, 469,500 consumptions, each run
given that day's reservations only, each a new process (a new store; for
the floor, a new connection; opening them is not timed), all on one ledger
that grows through the year; then the last night again (nothing to debit).
``--quick``: 2,000 families, one run in 5 (35 runs, 15,000 consumptions).

**The floor** is the same work on the same driver, written by hand with the
raw DB-API driver (``sqlite3``, ``psycopg``, ``pymysql``) on periscolaire's
own tables (under another commune key): the same reservations filtered,
priced, labelled and keyed in Python; per batch of 200 families one
transaction: the account rows bumped by their number of new entries in one
upsert that creates the missing ones and returns the numbers
(``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``; on MariaDB ``ON
DUPLICATE KEY UPDATE`` then a ``SELECT``), the entry rows with their unique
keys inserted (``executemany`` on SQLite, arrays on PostgreSQL, multi-row
statements on MariaDB; 500 rows a statement), ``COMMIT``. It does not read
which consumptions are debited already (the unique key would refuse a
second debit, as an error): that is the minimum. Its re-run floor does
what the minimum idempotent run must: lock the account rows, read the
unique keys asked, write nothing. ``memory://`` is measured against plain
Python dicts (no driver: reported, not judged).

The ratio is the library's rows per second over the floor's (the floor's
time over the library's), both measured in the same run, one after the
other. The floor reads keys pair by pair through the unique index (LATERAL
on PostgreSQL, a ``VALUES`` join on SQLite, a derived table on MariaDB), so
its plans do not depend on the server's statistics (none where autovacuum is
off and nothing ran ``ANALYZE``, as on a fresh test server). The year's
ledger (library and floor: about 940,000 rows) outgrows MariaDB's default
128 MB buffer pool: both then wait on the disk, which narrows the gap.

Databases: ``PERISCOLAIRE_BENCH_ACCOUNTS_POSTGRESQL_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/bench_accounts``) and
``PERISCOLAIRE_BENCH_ACCOUNTS_MARIADB_URL`` (default
``mysql+pymysql://root@127.0.0.1:3306/bench_accounts``): the benchmark's own
databases — periscolaire's tables there are dropped and created again at
every run. A server that does not answer is one "skipped" line. SQLite uses a
temporary file. ``PERISCOLAIRE_BENCH_BACKENDS`` (e.g. ``memory,sqlite``)
chooses the backends.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_store import _connect, _server_answers
from benchmarks.common import Figure, fmt_seconds, print_table

DAY = date(2024, 9, 2)  # Cestas' first school day
DAY_FAMILIES = 2_500
DAY_CHILDREN = 2  # per family: 5,000 consumptions
YEAR_FAMILIES = 10_000
QUICK_YEAR_FAMILIES = 2_000
QUICK_STEP = 5  # --quick: one run in 5
REPEAT = 5
BATCH = 200  # families per unit of work: the library's default, the floor's transactions
CHUNK = 500  # rows per statement in the floor
FLOOR_RATIO = 0.5
PRICES = {
    "ACCUEIL_MATIN": Decimal("1.10"),
    "ACCUEIL_SOIR": Decimal("1.60"),
    "RESTAURATION": Decimal("3.60"),
    "MERCREDI": Decimal("12.40"),
    "VACANCES": Decimal("14.80"),
}

DEFAULT_URLS = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/bench_accounts",
    "mariadb": "mysql+pymysql://root@127.0.0.1:3306/bench_accounts",
}
URL_VARIABLES = {
    "postgresql": "PERISCOLAIRE_BENCH_ACCOUNTS_POSTGRESQL_URL",
    "mariadb": "PERISCOLAIRE_BENCH_ACCOUNTS_MARIADB_URL",
}
LABELS = {"memory": "memory://", "sqlite": "SQLite", "postgresql": "PostgreSQL", "mariadb": "MariaDB"}
DRIVERS = {"memory": "Python dicts", "sqlite": "sqlite3", "postgresql": "psycopg", "mariadb": "pymysql"}


def quick() -> bool:
    return "--quick" in sys.argv[1:]


def price(reservation: Any) -> Decimal:
    """The host's price callable: one price per activity."""
    return PRICES[reservation.activity]


def _key(prefix: str) -> str:
    return f"{prefix}-{os.getpid()}-{time.time_ns()}"


# --------------------------------------------------------------------------
# The reservations
# --------------------------------------------------------------------------


def day_reservations() -> list[Any]:
    """5,000 accepted canteen reservations of ``DAY``: 2,500 families, two children each."""
    import periscolaire as ps

    return [
        ps.Reservation(f"c{f}-{k}", "RESTAURATION", DAY, f"F{f:05d}", "accepted", sequence=f * 2 + k)
        for f in range(DAY_FAMILIES)
        for k in range(DAY_CHILDREN)
    ]


@dataclass
class Year:
    """The nightly runs of a school year: the day each debits, and its activity."""

    families: int
    nights: list[tuple[date, str]]  # (day, activity), in order

    @classmethod
    def of(cls, families: int, step: int = 1) -> Year:
        import periscolaire as ps

        calendar = ps.load_commune().calendar
        days = dict.fromkeys(calendar.running_days("RESTAURATION"), "RESTAURATION")
        days.update(dict.fromkeys(calendar.running_days("MERCREDI"), "MERCREDI"))
        return cls(families, sorted(days.items())[::step])

    def reservations(self, night: int) -> list[Any]:
        """That day's reservations: one family in five at the canteen, one in
        ten on Wednesdays (the families change from night to night); one or
        two children per family."""
        import periscolaire as ps

        day, activity = self.nights[night]
        share = 5 if activity == "RESTAURATION" else 10
        return [
            ps.Reservation(f"c{f}-{k}", activity, day, f"F{f:05d}", "accepted", sequence=f * 2 + k)
            for f in range(night % share, self.families, share)
            for k in range(1 + (f // share) % 2)
        ]

    def describe(self) -> str:
        first, last = self.nights[0][0], self.nights[-1][0]
        return f"{self.families:,} families, {len(self.nights)} runs (days {first:%d/%m/%Y}-{last:%d/%m/%Y})"


# --------------------------------------------------------------------------
# The floor: the same debit, by hand
# --------------------------------------------------------------------------

Due = tuple[str, Any]  # (unique key, reservation): a consumption to debit
Row = tuple[str, date, int, str, str, str]  # wallet, day, cents, label, reference, unique key


def planned(reservations: Iterable[Any], today: date) -> dict[str, list[Due]]:
    """Per family, the consumptions due and their unique keys: the
    reservations accepted, of days before ``today`` (as the library filters)."""
    by_family: dict[str, list[Due]] = {}
    for r in reservations:
        if r.status != "accepted" or r.day >= today:
            continue
        by_family.setdefault(r.family, []).append(
            (f"consumption:{r.child}/{r.activity}/{r.day.isoformat()}", r)
        )
    return by_family


def rows(due: list[Due], wallet_of: dict[str, str]) -> list[Row]:
    """The rows of the consumptions to write: what the library computes
    (porte-monnaie, price in cents, label, reference)."""
    return [
        (
            wallet_of[r.activity],
            r.day,
            -int(price(r).scaleb(2)),
            f"{r.activity} {r.day:%d/%m/%Y} ({r.child})",
            key.removeprefix("consumption:"),
            key,
        )
        for key, r in due
    ]


def _batches(by_family: dict[str, list[Due]]) -> Iterator[list[str]]:
    families = sorted(by_family)
    for start in range(0, len(families), BATCH):
        yield families[start : start + BATCH]


def _chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class MemoryFloor:
    """The ledger in plain dicts: next numbers, entry tuples, a set of keys."""

    def __init__(self, wallet_of: dict[str, str]) -> None:
        self.wallet_of = wallet_of
        self.next: dict[tuple[str, str], int] = {}
        self.entries: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
        self.keys: set[tuple[str, str, str]] = set()

    def debit(self, commune: str, by_family: dict[str, list[Due]], check: bool = False) -> int:
        written = 0
        keys = self.keys
        for family in sorted(by_family):
            account = (commune, family)
            due = by_family[family]
            if check:
                due = [d for d in due if (commune, family, d[0]) not in keys]
            number = self.next.get(account, 1)
            ledger = self.entries.setdefault(account, [])
            for wallet, day, cents, label, reference, key in rows(due, self.wallet_of):
                keys.add((commune, family, key))
                ledger.append((number, wallet, day, cents, "consumption", label, reference, None, key))
                number += 1
            written += len(due)
            self.next[account] = number
        return written

    def close(self) -> None:
        pass


class SQLFloor:
    """The debit with the raw driver, batched as each driver does best (see
    the module)."""

    ENTRY_COLUMNS = (
        "commune, family, number, wallet, day, amount_cents, kind, label, reference, reverses, unique_key"
    )

    def __init__(self, backend: str, url: str, wallet_of: dict[str, str]) -> None:
        self.backend = backend
        self.wallet_of = wallet_of
        self.conn = _connect(backend, url)
        self._sql: dict[tuple[str, int], str] = {}

    # -- statements (per backend, per number of rows) ------------------------------

    def _statement(self, kind: str, n: int) -> str:
        sql = self._sql.get((kind, n))
        if sql is None:
            sql = self._sql[(kind, n)] = getattr(self, f"_sql_{kind}")(n)
        return sql

    def _sql_bump(self, n: int) -> str:
        """Bump (or create) n account rows by their number of new entries."""
        if self.backend == "postgresql":
            return (
                "INSERT INTO periscolaire_account (commune, family, next_number) "
                "SELECT %s, f, k + 1 FROM unnest(%b::text[], %b::bigint[]) AS u(f, k) "
                "ON CONFLICT (commune, family) DO UPDATE "
                "SET next_number = periscolaire_account.next_number + excluded.next_number - 1 "
                "RETURNING family, next_number"
            )
        if self.backend == "sqlite":
            values = ", ".join(["(?, ?, ?)"] * n)
            return (
                f"INSERT INTO periscolaire_account (commune, family, next_number) VALUES {values} "
                "ON CONFLICT (commune, family) DO UPDATE "
                "SET next_number = periscolaire_account.next_number + excluded.next_number - 1 "
                "RETURNING family, next_number"
            )
        values = ", ".join(["(%s, %s, %s)"] * n)
        return (
            f"INSERT INTO periscolaire_account (commune, family, next_number) VALUES {values} "
            "ON DUPLICATE KEY UPDATE next_number = next_number + VALUES(next_number) - 1"
        )

    def _sql_numbers(self, n: int) -> str:
        """MariaDB: the account rows' numbers after the bump (rows already locked)."""
        marks = ", ".join(["%s"] * n)
        return (
            f"SELECT family, next_number FROM periscolaire_account WHERE commune = %s AND family IN ({marks})"
        )

    def _sql_lock(self, n: int) -> str:
        """The re-run: lock the account rows (SQLite: BEGIN IMMEDIATE did).
        On PostgreSQL each row through the primary key (LATERAL: without
        statistics, as with autovacuum off, the planner would read the
        commune's rows; LIMIT 1 likewise keeps the key read per pair)."""
        if self.backend == "postgresql":
            return (
                "SELECT a.family, a.next_number FROM unnest(%b::text[]) AS u(f) CROSS JOIN LATERAL ("
                "SELECT family, next_number FROM periscolaire_account "
                "WHERE commune = %s AND family = u.f FOR UPDATE) AS a"
            )
        marks = ", ".join(["%s"] * n)
        return (
            "SELECT family, next_number FROM periscolaire_account "
            f"WHERE commune = %s AND family IN ({marks}) ORDER BY family FOR UPDATE"
        )

    def _sql_keys(self, n: int) -> str:
        """Which of n (family, unique key) pairs are in the ledger already."""
        if self.backend == "postgresql":
            return (
                "SELECT e.family, e.unique_key FROM unnest(%b::text[], %b::text[]) AS u(f, k) "
                "CROSS JOIN LATERAL (SELECT family, unique_key FROM periscolaire_entry "
                "WHERE commune = %s AND family = u.f AND unique_key = u.k LIMIT 1) AS e"
            )
        if self.backend == "sqlite":  # a row-value IN would search by its first column only
            return (
                f"SELECT e.family, e.unique_key FROM (VALUES {', '.join(['(?, ?)'] * n)}) AS u "
                "CROSS JOIN periscolaire_entry AS e "
                "WHERE e.commune = ? AND e.family = u.column1 AND e.unique_key = u.column2"
            )
        # MariaDB: a derived table joined through the unique key (a row-value
        # IN after ``commune = %s`` reads every entry of the commune).
        pairs = " UNION ALL ".join(["SELECT %s AS f, %s AS k"] * n)
        return (
            f"SELECT e.family, e.unique_key FROM ({pairs}) AS u JOIN periscolaire_entry AS e "
            "ON e.commune = %s AND e.family = u.f AND e.unique_key = u.k"
        )

    def _sql_insert(self, n: int) -> str:
        if self.backend == "postgresql":
            return (
                f"INSERT INTO periscolaire_entry ({self.ENTRY_COLUMNS}) "
                "SELECT %s, f, n, w, d, a, 'consumption', l, r, NULL, k FROM unnest("
                "%b::text[], %b::bigint[], %b::text[], %b::date[], %b::bigint[], %b::text[], %b::text[], "
                "%b::text[]) AS u(f, n, w, d, a, l, r, k)"
            )
        if self.backend == "sqlite":
            return f"INSERT INTO periscolaire_entry ({self.ENTRY_COLUMNS}) VALUES ({', '.join(['?'] * 11)})"
        row = "(" + ", ".join(["%s"] * 11) + ")"
        return f"INSERT INTO periscolaire_entry ({self.ENTRY_COLUMNS}) VALUES " + ", ".join([row] * n)

    # -- one transaction ---------------------------------------------------------------

    def debit(self, commune: str, by_family: dict[str, list[Due]], check: bool = False) -> int:
        """Write the rows, one transaction per batch of families; with
        ``check``, lock the accounts and leave out the keys already there."""
        written = 0
        for families in _batches(by_family):
            written += self._transaction(commune, {f: by_family[f] for f in families}, check)
        return written

    def _transaction(self, commune: str, due: dict[str, list[Due]], check: bool) -> int:
        backend = self.backend
        cursor = self.conn.cursor()
        if backend == "sqlite":
            cursor.execute("BEGIN IMMEDIATE")
        if check:
            due = self._missing(cursor, commune, due)
        counts = [(family, len(items)) for family, items in due.items() if items]
        starts: dict[str, int] = {}
        for chunk in _chunks(counts):
            if backend == "postgresql":
                cursor.execute(
                    self._statement("bump", 0), (commune, [f for f, _ in chunk], [k for _, k in chunk])
                )
                starts.update((f, n) for f, n in cursor)
            else:
                flat = [v for family, k in chunk for v in (commune, family, k + 1)]
                cursor.execute(self._statement("bump", len(chunk)), flat)
                if backend == "mariadb":
                    cursor.execute(self._statement("numbers", len(chunk)), [commune, *(f for f, _ in chunk)])
                starts.update((f, n) for f, n in cursor.fetchall())
        entries = [
            (family, starts[family] - len(items) + i, *row)
            for family, items in due.items()
            if items
            for i, row in enumerate(rows(items, self.wallet_of))
        ]
        for chunk in _chunks(entries):
            self._insert(cursor, commune, chunk)
        if backend == "sqlite":
            cursor.execute("COMMIT")
        else:
            self.conn.commit()
        cursor.close()
        return len(entries)

    def _insert(self, cursor: Any, commune: str, chunk: list[tuple[Any, ...]]) -> None:
        backend = self.backend
        if backend == "postgresql":
            f, n, w, d, a, label, r, k = (list(column) for column in zip(*chunk, strict=True))
            cursor.execute(self._statement("insert", 0), (commune, f, n, w, d, a, label, r, k))
        elif backend == "sqlite":
            cursor.executemany(
                self._statement("insert", 0),
                [
                    (commune, f, n, w, d.isoformat(), a, "consumption", label, r, None, k)
                    for f, n, w, d, a, label, r, k in chunk
                ],
            )
        else:
            flat: list[Any] = []
            for f, n, w, d, a, label, r, k in chunk:
                flat += (commune, f, n, w, d, a, "consumption", label, r, None, k)
            cursor.execute(self._statement("insert", len(chunk)), flat)

    def _missing(self, cursor: Any, commune: str, due: dict[str, list[Due]]) -> dict[str, list[Due]]:
        """Lock the accounts, read which keys are there, keep the others."""
        backend = self.backend
        families = list(due)
        if backend != "sqlite":
            for chunk in _chunks(families):
                if backend == "postgresql":
                    cursor.execute(self._statement("lock", 0), (chunk, commune))
                else:
                    cursor.execute(self._statement("lock", len(chunk)), [commune, *chunk])
                cursor.fetchall()
        pairs = [(family, key) for family, items in due.items() for key, _ in items]
        found: set[tuple[str, str]] = set()
        for chunk in _chunks(pairs):
            if backend == "postgresql":
                cursor.execute(
                    self._statement("keys", 0), ([f for f, _ in chunk], [k for _, k in chunk], commune)
                )
            else:
                cursor.execute(
                    self._statement("keys", len(chunk)), [*(v for pair in chunk for v in pair), commune]
                )
            found.update((f, k) for f, k in cursor.fetchall())
        return {family: [d for d in items if (family, d[0]) not in found] for family, items in due.items()}

    def close(self) -> None:
        self.conn.close()


# --------------------------------------------------------------------------
# Databases
# --------------------------------------------------------------------------


def _backends() -> list[str]:
    chosen = os.environ.get("PERISCOLAIRE_BENCH_BACKENDS")
    everything = ["memory", "sqlite", "postgresql", "mariadb"]
    return [b.strip() for b in chosen.split(",")] if chosen else everything


def _url(backend: str, directory: str) -> str:
    if backend == "memory":
        return "memory://"
    if backend == "sqlite":
        return f"sqlite:///{Path(directory) / 'bench_accounts.db'}"
    return os.environ.get(URL_VARIABLES[backend], DEFAULT_URLS[backend])


def _reset(url: str) -> None:
    """The benchmark database afresh: periscolaire's tables dropped and migrated again."""
    import sqlalchemy as sa

    from periscolaire.store import sql

    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            sql.metadata.drop_all(conn)
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {sql.VERSION_TABLE}"))
    finally:
        engine.dispose()
    _open(url, upgrade=True).close()


def _open(url: str, upgrade: bool = False) -> Any:
    import periscolaire as ps

    with warnings.catch_warnings():  # no health keys: the store says so, not our business here
        warnings.simplefilter("ignore")
        return ps.open_store(url, upgrade=upgrade)


def _commune(key: str) -> Any:
    import attrs

    import periscolaire as ps

    return attrs.evolve(ps.load_commune(), key=key)


def _wallet_of() -> dict[str, str]:
    import periscolaire as ps

    return {code: a.wallet for code, a in ps.load_commune().activities.items()}


def _skipped(backend: str, url: str, what: str) -> list[Figure] | None:
    """One "skipped" line when the server does not answer (None: it answers)."""
    import sqlalchemy as sa

    if backend in ("memory", "sqlite"):
        return None
    why = _server_answers(backend, url)
    if why is None:
        return None
    shown = sa.make_url(url).render_as_string(hide_password=True)
    return [
        Figure(
            f"accounts, {what}, {LABELS[backend]}",
            "",
            "skipped: the server does not answer",
            f"{shown} ({why[:70]})",
        )
    ]


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


# --------------------------------------------------------------------------
# The figures
# --------------------------------------------------------------------------


def _judge(backend: str, ratio: float) -> bool | None:
    return None if backend == "memory" else ratio >= FLOOR_RATIO


def _target(backend: str) -> str:
    return "(reported: no driver)" if backend == "memory" else f"≥ {FLOOR_RATIO}× the floor"


class Nightly:
    """One nightly process of each kind: the library's (a new store, its
    pool warm) and the floor's (a new connection); the opening is not timed."""

    def __init__(self, backend: str, url: str, key: str, floor_key: str) -> None:
        self.backend, self.url = backend, url
        self.key, self.floor_key = key, floor_key
        self.wallet_of = _wallet_of()

    def library(self, reservations: list[Any], today: date) -> tuple[float, int]:
        """Seconds of ``debit_consumptions``, entries written."""
        import periscolaire as ps

        store = _open(self.url)
        try:
            agent = ps.Families(_commune(self.key), store=store).agent("regie")
            agent.account(reservations[0].family).balance()  # a connection in the pool
            seconds, debited = _timed(
                lambda: agent.debit_consumptions(reservations, today=today, price=price)
            )
        finally:
            store.close()
        return seconds, sum(len(entries) for entries in debited.values())

    def floor(self, reservations: list[Any], today: date, check: bool = False) -> tuple[float, int]:
        """Seconds of the floor's debit (from the same reservations), rows written."""
        floor = self._floor()
        try:
            return _timed(lambda: floor.debit(self.floor_key, planned(reservations, today), check=check))
        finally:
            floor.close()

    def _floor(self) -> MemoryFloor | SQLFloor:
        return SQLFloor(self.backend, self.url, self.wallet_of)

    def ledger(self) -> tuple[int, Decimal]:
        """How many entries the library's ledger holds, and their sum."""
        store = _open(self.url)
        try:
            accounts = store.accounts(_commune(self.key).store_key)
            entries = [e for family in accounts.families() for e in accounts.entries(family)]
        finally:
            store.close()
        return len(entries), sum((e.amount for e in entries), Decimal(0))


def _prepared(backend: str, directory: str, what: str) -> tuple[str, list[Figure] | None]:
    """The backend's URL, its tables afresh; or one "skipped" line."""
    url = _url(backend, directory)
    skipped = _skipped(backend, url, what)
    if skipped is None and backend != "memory":
        _reset(url)
    return url, skipped


def debit_a_day(backend: str) -> list[Figure]:
    """Debit 5,000 consumptions, then the same run again: library and floor."""
    label, driver = LABELS[backend], DRIVERS[backend]
    reservations = day_reservations()
    n, today = len(reservations), DAY + timedelta(days=1)
    runs: dict[str, list[float]] = {"library": [], "again": [], "floor": [], "floor again": []}
    with tempfile.TemporaryDirectory(prefix="periscolaire-bench-") as directory:
        url, skipped = _prepared(backend, directory, "debit a day")
        if skipped is not None:
            return skipped
        for _ in range(REPEAT):
            if backend == "memory":  # the ledger lives in the store: one store for the day and its re-run
                nightly = _MemoryNightly(backend, url, _key("day"), _key("floor-day"))
            else:
                nightly = Nightly(backend, url, _key("day"), _key("floor-day"))
            seconds, written = nightly.library(reservations, today)
            runs["library"].append(seconds)
            seconds, rewritten = nightly.library(reservations, today)
            runs["again"].append(seconds)
            ledger = nightly.ledger()
            seconds, floor_written = nightly.floor(reservations, today)
            runs["floor"].append(seconds)
            seconds, floor_rewritten = nightly.floor(reservations, today, check=True)
            runs["floor again"].append(seconds)
            assert (floor_written, floor_rewritten) == (n, 0)
    run, rerun, floor_run, floor_rerun = (min(times) for times in runs.values())
    ratio, rerun_ratio = floor_run / run, floor_rerun / rerun
    expected = (n, -n * PRICES["RESTAURATION"])
    return [
        Figure(
            f"accounts, debit a day, {label}: {n:,} consumptions of {DAY_FAMILIES:,} families",
            _target(backend),
            f"{n / run:,.0f} rows/s ({fmt_seconds(run)}), {ratio:.2f}× the floor",
            f"floor ({driver}): {n / floor_run:,.0f} rows/s ({fmt_seconds(floor_run)})",
            _judge(backend, ratio),
        ),
        Figure(
            f"accounts, the same day again (all debited), {label}",
            _target(backend),
            f"{fmt_seconds(rerun)} ({n / rerun:,.0f} rows/s checked), {rerun_ratio:.2f}× the floor",
            f"floor (lock + key read): {fmt_seconds(floor_rerun)}",
            _judge(backend, rerun_ratio),
        ),
        Figure(
            f"accounts, debit a day, {label}: entries written, then again; the ledger",
            f"{n:,}, then 0; {n:,} entries, {expected[1]} €",
            f"{written:,}, then {rewritten}; {ledger[0]:,} entries, {ledger[1]} €",
            "",
            (written, rewritten, ledger) == (n, 0, expected),
        ),
    ]


class _MemoryNightly(Nightly):
    """memory://: one store for all the runs (a new one would be empty)."""

    def __init__(self, backend: str, url: str, key: str, floor_key: str) -> None:
        super().__init__(backend, url, key, floor_key)
        self.store = _open(url)
        self.memory_floor = MemoryFloor(self.wallet_of)

    def _floor(self) -> MemoryFloor | SQLFloor:
        return self.memory_floor

    def library(self, reservations: list[Any], today: date) -> tuple[float, int]:
        import periscolaire as ps

        agent = ps.Families(_commune(self.key), store=self.store).agent("regie")
        seconds, debited = _timed(lambda: agent.debit_consumptions(reservations, today=today, price=price))
        return seconds, sum(len(entries) for entries in debited.values())

    def ledger(self) -> tuple[int, Decimal]:
        accounts = self.store.accounts(_commune(self.key).store_key)
        entries = [e for family in accounts.families() for e in accounts.entries(family)]
        return len(entries), sum((e.amount for e in entries), Decimal(0))


def a_year(backend: str) -> list[Figure]:
    """A school year of nightly runs (each a new process: a new store, a new
    connection for the floor), then the last night again."""
    label, driver = LABELS[backend], DRIVERS[backend]
    year = Year.of(QUICK_YEAR_FAMILIES, QUICK_STEP) if quick() else Year.of(YEAR_FAMILIES)
    library_times: list[float] = []
    floor_times: list[float] = []
    counts: list[int] = []
    written = floor_written = 0
    with tempfile.TemporaryDirectory(prefix="periscolaire-bench-") as directory:
        url, skipped = _prepared(backend, directory, "a year of nightly runs")
        if skipped is not None:
            return skipped
        kind = _MemoryNightly if backend == "memory" else Nightly
        nightly = kind(backend, url, _key("year"), _key("floor-year"))
        for night in range(len(year.nights)):
            reservations = year.reservations(night)
            today = year.nights[night][0] + timedelta(days=1)
            seconds, n = nightly.library(reservations, today)
            library_times.append(seconds)
            written += n
            seconds, n = nightly.floor(reservations, today)
            floor_times.append(seconds)
            floor_written += n
            counts.append(len(reservations))
        rerun, rewritten = nightly.library(reservations, today)
        floor_rerun, _ = nightly.floor(reservations, today, check=True)
        entries, _ = nightly.ledger()
    total, seconds, floor_seconds = sum(counts), sum(library_times), sum(floor_times)
    ratio = floor_seconds / seconds
    ten = min(10, len(counts) // 2)
    first_rate = sum(counts[:ten]) / sum(library_times[:ten])
    last_rate = sum(counts[-ten:]) / sum(library_times[-ten:])
    floor_first = sum(counts[:ten]) / sum(floor_times[:ten])
    floor_last = sum(counts[-ten:]) / sum(floor_times[-ten:])
    what = year.describe() + (" (--quick)" if quick() else "")
    complete = (written, floor_written, entries) == (total, total, total)
    return [
        Figure(
            f"accounts, a year of nightly runs, {label}: {what}, {total:,} consumptions",
            _target(backend),
            f"{total / seconds:,.0f} rows/s ({fmt_seconds(seconds)}), {ratio:.2f}× the floor",
            f"floor ({driver}): {total / floor_seconds:,.0f} rows/s ({fmt_seconds(floor_seconds)})",
            _judge(backend, ratio) if complete else False,
        ),
        Figure(
            f"accounts, the year, {label}: first {ten} runs / last {ten} runs",
            "(reported)",
            f"{first_rate:,.0f} / {last_rate:,.0f} rows/s",
            f"floor: {floor_first:,.0f} / {floor_last:,.0f} rows/s",
        ),
        Figure(
            f"accounts, the year's last night again (all debited), {label}: {counts[-1]:,} consumptions",
            _target(backend),
            f"{fmt_seconds(rerun)}, {rewritten} written, {floor_rerun / rerun:.2f}× the floor",
            f"floor (lock + key read): {fmt_seconds(floor_rerun)}",
            _judge(backend, floor_rerun / rerun) if rewritten == 0 else False,
        ),
    ]


def _per_backend(figure: Callable[[str], list[Figure]], backend: str) -> Callable[[], list[Figure]]:
    def run() -> list[Figure]:
        return figure(backend) if backend in _backends() else []

    run.__name__ = f"{figure.__name__}_{backend}"
    return run


FIGURES = [
    _per_backend(figure, backend)
    for figure in (debit_a_day, a_year)
    for backend in ("memory", "sqlite", "postgresql", "mariadb")
]


def main() -> int:
    rows: list[Figure] = []
    for figure in FIGURES:
        print(f"… bench_accounts.{figure.__name__}", file=sys.stderr, flush=True)
        rows.extend(figure())
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
