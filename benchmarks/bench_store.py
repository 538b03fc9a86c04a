"""Issue figures for the SQL stores: the opening rush through a database, and its floor.

    python -m benchmarks.bench_store            # 10,000 families per backend
    python -m benchmarks.bench_store --quick    # 2,000 families (a quick look)

For each SQL backend (SQLite, PostgreSQL, MariaDB), four worker processes
(``spawn``: fresh interpreters, as a web server's workers) each open their own
store and :class:`~periscolaire.Register`, wait for a common start event,
then serve their share of the families: each family opens a session, selects
the 59 day-requests of ``benchmarks/bench_booking.py``'s rush (September's
canteen, morning and evening care; the Wednesdays of September, 48 places;
the week of 21 October at the holiday centre, 60 places) and confirms.

The floor is the same work on the same driver in the same run, written by
hand: per family ``BEGIN`` (``BEGIN IMMEDIATE`` on SQLite), the touched slot
rows locked (``SELECT ... FOR UPDATE`` in sorted order), the same status rule
(accepted while places are left, else waiting list, else refused), one batched
``INSERT`` of the reservation rows, one update of the slot counters,
``COMMIT`` — on tables of its own (``floor_slot``, ``floor_reservation``,
shaped and indexed like periscolaire's), with the store's isolation (READ
COMMITTED; SQLite in WAL with ``synchronous=NORMAL``). It skips what the store
does besides: the session's reads of the children's reservations (before and
after), the unit's read of the keys, the sequence numbers, the journal.

The figures: day-requests per second (requests over the wall time from the
common start to the last worker's end), the latency of ``session.confirm``
(p50, p99 over every family), the store over its floor, and what the store
holds afterwards: overbooked slots, counters that are not their rows' counts,
waiting lists out of first-come order (all must be 0).

Databases: ``PERISCOLAIRE_BENCH_POSTGRESQL_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/bench``) and
``PERISCOLAIRE_BENCH_MARIADB_URL`` (default
``mysql+pymysql://root@127.0.0.1:3306/bench``): the benchmark's own
databases — periscolaire's tables there are dropped and created again at every
run. A server that does not answer is one "skipped" line. SQLite uses a
temporary file. ``PERISCOLAIRE_BENCH_FAMILIES`` sets the number of families,
``PERISCOLAIRE_BENCH_BACKENDS`` (e.g. ``sqlite,postgresql``) the backends.
"""

from __future__ import annotations

import os
import queue
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import Figure, fmt_seconds, print_table

NOW = datetime(2024, 8, 26, 10)
CONFIRM = datetime(2024, 8, 26, 10, 5)
ZERO = Decimal(0)
WORKERS = 4
FAMILIES = 10_000
QUICK_FAMILIES = 2_000

DEFAULT_URLS = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/bench",
    "mariadb": "mysql+pymysql://root@127.0.0.1:3306/bench",
}
URL_VARIABLES = {
    "postgresql": "PERISCOLAIRE_BENCH_POSTGRESQL_URL",
    "mariadb": "PERISCOLAIRE_BENCH_MARIADB_URL",
}
LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL", "mariadb": "MariaDB"}
DRIVERS = {"sqlite": "sqlite3", "postgresql": "psycopg", "mariadb": "pymysql"}
#: Day-requests per second each backend must reach through the store (None: only the floor ratio).
RATE_TARGETS: dict[str, int | None] = {"sqlite": 40_000, "postgresql": 20_000, "mariadb": None}
#: p99 of the confirmation latency (None: reported only).
P99_TARGETS: dict[str, float | None] = {"sqlite": None, "postgresql": 0.050, "mariadb": None}
FLOOR_RATIO = 0.5


def families_wanted() -> int:
    if "--quick" in sys.argv[1:]:
        return QUICK_FAMILIES
    return int(os.environ.get("PERISCOLAIRE_BENCH_FAMILIES", FAMILIES))


# --------------------------------------------------------------------------
# The families and their requests (the same in every worker)
# --------------------------------------------------------------------------


def _family(i: int) -> Any:
    import periscolaire as ps

    return ps.Family(f"F{i}", f"NOM{i}", (ps.Child(f"c{i}", "Prénom", f"NOM{i}"),))


def _select(session: Any, child: str) -> None:
    """The selection of ``bench_booking._rush``: 59 day-requests."""
    session.toggle_month(child, "RESTAURATION", date(2024, 9, 1))
    session.toggle_month(child, "ACCUEIL_MATIN", date(2024, 9, 1))
    session.toggle_month(child, "ACCUEIL_SOIR", date(2024, 9, 1))
    session.toggle_weekday(child, "MERCREDI", date(2024, 9, 11))
    session.toggle_week(child, "VACANCES", date(2024, 10, 21))


def _requested_slots() -> list[tuple[str, date]]:
    """The (activity, day) of every request of a family, in the order selected."""
    import periscolaire as ps

    register = ps.Register(ps.load_commune())
    family = _family(0)
    session = register.open_session(family, now=NOW, balance=ZERO, dossier_complete=True)
    _select(session, family.children[0].id)
    return [(p["activity"], date.fromisoformat(p["day"])) for p in session.to_dict()["pending"]]


# --------------------------------------------------------------------------
# Worker processes (importable by a spawned interpreter)
# --------------------------------------------------------------------------


def _mine(worker: int, families: int) -> range:
    return range(worker, families, WORKERS)


def store_worker(url: str, key: str, worker: int, families: int, go: Any, results: Any) -> None:
    """One portal worker: its own store and register, its share of the families."""
    try:
        import attrs

        import periscolaire as ps

        commune = attrs.evolve(ps.load_commune(), key=key)
        store = ps.open_store(url)
        register = ps.Register(commune, store=store)
        register.places_left("MERCREDI", date(2024, 9, 11))  # a connection in the pool
        accounts = [_family(i) for i in _mine(worker, families)]
        results.put(("ready", worker))
        go.wait()
        latencies = []
        requests = 0
        clock = time.perf_counter
        for family in accounts:
            session = register.open_session(family, now=NOW, balance=ZERO, dossier_complete=True)
            _select(session, family.children[0].id)
            start = clock()
            outcome = session.confirm(CONFIRM)
            latencies.append(clock() - start)
            requests += len(outcome.accepted) + len(outcome.waitlisted) + len(outcome.refused)
        end = clock()
        store.close()
        results.put(("done", worker, end, requests, latencies))
    except BaseException:
        results.put(("error", worker, traceback.format_exc()))


def floor_worker(
    backend: str, url: str, worker: int, families: int, slots: list[tuple[str, date]], go: Any, results: Any
) -> None:
    """The floor: the same requests in a minimal hand-written transaction."""
    try:
        floor = _Floor(backend, url, slots)
        results.put(("ready", worker))
        go.wait()
        latencies = []
        requests = 0
        clock = time.perf_counter
        for i in _mine(worker, families):
            start = clock()
            requests += floor.confirm(f"F{i}", f"c{i}", sequence=(worker + 1) * 10**9 + i * 100)
            latencies.append(clock() - start)
        end = clock()
        floor.close()
        results.put(("done", worker, end, requests, latencies))
    except BaseException:
        results.put(("error", worker, traceback.format_exc()))


def _connect(backend: str, url: str) -> Any:
    """A raw DB-API connection with the store's isolation."""
    import sqlalchemy as sa

    parsed = sa.make_url(url)
    if backend == "sqlite":
        import sqlite3

        conn = sqlite3.connect(parsed.database or "", isolation_level=None, timeout=60)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=60000")
        return conn
    if backend == "postgresql":
        import psycopg

        conn = psycopg.connect(
            host=parsed.host,
            port=parsed.port or 5432,
            user=parsed.username,
            password=parsed.password or None,
            dbname=parsed.database,
            connect_timeout=5,
        )
        conn.isolation_level = psycopg.IsolationLevel.READ_COMMITTED
        return conn
    import pymysql

    conn = pymysql.connect(
        host=parsed.host,
        port=parsed.port or 3306,
        user=parsed.username,
        password=parsed.password or "",
        database=parsed.database,
        charset="utf8mb4",
        autocommit=False,
        connect_timeout=5,
    )
    with conn.cursor() as cursor:
        cursor.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
    return conn


class _Floor:
    """One worker's connection and statements for the floor, batched as each
    driver does best: ``executemany`` on SQLite (in the process), arrays on
    PostgreSQL (psycopg converts a statement of more than 50 parameters
    again at every run), multi-row statements on MariaDB (PyMySQL
    interpolates in the client; ``INSERT ... ON DUPLICATE KEY UPDATE``
    updates all the counters at once)."""

    def __init__(self, backend: str, url: str, slots: list[tuple[str, date]]) -> None:
        self.backend = backend
        self.conn = _connect(backend, url)
        self.slots = slots
        self.locked = sorted(set(slots))
        self.waiting_list = {"MERCREDI", "VACANCES"}
        columns = "commune, child, activity, day, family, status, sequence, transmitted, confirmation"
        self.day: Callable[[date], Any] = (lambda d: d.isoformat()) if backend == "sqlite" else (lambda d: d)
        if backend == "postgresql":
            # The store's statements: a slot locked through its primary key
            # each (LATERAL), arrays in binary, the counters upserted (an
            # UPDATE joined to arrays gets a nested loop over the commune's
            # slots when the planner has no statistics, as with autovacuum off).
            self.lock_sql = (
                "SELECT s.activity, s.day, s.capacity, s.taken, s.waiting "
                "FROM unnest(%b::text[], %b::date[]) AS u(a, d) CROSS JOIN LATERAL ("
                "SELECT activity, day, capacity, taken, waiting FROM floor_slot "
                "WHERE commune = %s AND activity = u.a AND day = u.d FOR UPDATE) AS s"
            )
            self.lock_params: list[Any] = [[a for a, _ in self.locked], [d for _, d in self.locked], "bench"]
            self.insert_sql = (
                f"INSERT INTO floor_reservation ({columns}) "
                "SELECT %s, %s, a, d, %s, s, q, false, %s "
                "FROM unnest(%b::text[], %b::date[], %b::text[], %b::bigint[]) AS u(a, d, s, q)"
            )
            self.update_sql = (
                "INSERT INTO floor_slot (commune, activity, day, taken, waiting) "
                "SELECT %s, a, d, t, w FROM unnest(%b::text[], %b::date[], %b::integer[], %b::integer[]) "
                "AS u(a, d, t, w) ON CONFLICT (commune, activity, day) DO UPDATE "
                "SET taken = excluded.taken, waiting = excluded.waiting"
            )
            return
        p = "?" if backend == "sqlite" else "%s"
        pairs = ", ".join([f"({p}, {p})"] * len(self.locked))
        self.lock_sql = (
            "SELECT activity, day, capacity, taken, waiting FROM floor_slot "
            f"WHERE commune = {p} AND (activity, day) IN ({pairs}) ORDER BY activity, day"
        )
        self.lock_params = ["bench"] + [v for a, d in self.locked for v in (a, self.day(d))]
        row = "(" + ", ".join([p] * 9) + ")"
        if backend == "sqlite":  # in-process: executemany costs no round trip
            self.insert_sql = f"INSERT INTO floor_reservation ({columns}) VALUES {row}"
            self.update_sql = (
                "UPDATE floor_slot SET taken = ?, waiting = ? WHERE commune = ? AND activity = ? AND day = ?"
            )
        else:  # pymysql interpolates: one multi-row statement each
            self.lock_sql += " FOR UPDATE"
            self.insert_sql = f"INSERT INTO floor_reservation ({columns}) VALUES " + ", ".join(
                [row] * len(slots)
            )
            values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(self.locked))
            self.update_sql = (
                f"INSERT INTO floor_slot (commune, activity, day, taken, waiting) VALUES {values} "
                "ON DUPLICATE KEY UPDATE taken = VALUES(taken), waiting = VALUES(waiting)"
            )

    def confirm(self, family: str, child: str, sequence: int) -> int:
        """One family's requests in one transaction; returns how many."""
        conn = self.conn
        backend = self.backend
        cursor = conn.cursor()
        if backend == "sqlite":
            cursor.execute("BEGIN IMMEDIATE")
        cursor.execute(self.lock_sql, self.lock_params)
        counts: dict[tuple[str, date], list[Any]] = {
            (a, d if isinstance(d, date) else date.fromisoformat(d)): [c, t, w] for a, d, c, t, w in cursor
        }
        rows = []  # (activity, day, status, sequence)
        for i, (code, d) in enumerate(self.slots):
            slot = counts[(code, d)]
            capacity, taken, waiting = slot
            if capacity is None or (taken < capacity and not waiting):
                slot[1] = taken + 1
                rows.append((code, d, "accepted", sequence + i))
            elif code in self.waiting_list:
                slot[2] = waiting + 1
                rows.append((code, d, "waitlisted", sequence + i))
            # else refused: no row
        changed = sorted(counts.items())
        if backend == "sqlite":
            cursor.executemany(
                self.insert_sql,
                [("bench", child, a, d.isoformat(), family, st, q, False, sequence) for a, d, st, q in rows],
            )
            cursor.executemany(
                self.update_sql, [(t, w, "bench", a, d.isoformat()) for (a, d), (_, t, w) in changed]
            )
            cursor.execute("COMMIT")
        elif backend == "postgresql":
            a, d, st, q = (list(column) for column in zip(*rows, strict=True))
            cursor.execute(self.insert_sql, ("bench", child, family, sequence, a, d, st, q))
            cursor.execute(
                self.update_sql,
                (
                    "bench",
                    [a for (a, _), _ in changed],
                    [d for (_, d), _ in changed],
                    [v[1] for _, v in changed],
                    [v[2] for _, v in changed],
                ),
            )
            conn.commit()
        else:
            flat: list[Any] = []
            for a, d, st, q in rows:
                flat += ("bench", child, a, d, family, st, q, False, sequence)
            cursor.execute(self.insert_sql, flat)
            flat = []
            for (a, d), (_, t, w) in changed:
                flat += ("bench", a, d, t, w)
            cursor.execute(self.update_sql, flat)
            conn.commit()
        cursor.close()
        return len(self.slots)

    def close(self) -> None:
        self.conn.close()


# --------------------------------------------------------------------------
# Running a rush: four processes from one start event
# --------------------------------------------------------------------------


class Rush:
    """What one rush measured."""

    def __init__(self, seconds: float, requests: int, latencies: Sequence[float]) -> None:
        self.seconds = seconds
        self.requests = requests
        self.rate = requests / seconds
        ordered = sorted(latencies)
        self.p50 = statistics.median(ordered)
        self.p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def _run_processes(target: Callable[..., None], args: Callable[[int, Any, Any], tuple[Any, ...]]) -> Rush:
    import multiprocessing

    spawn = multiprocessing.get_context("spawn")
    go = spawn.Event()
    results = spawn.Queue()
    processes = [spawn.Process(target=target, args=args(w, go, results)) for w in range(WORKERS)]
    for process in processes:
        process.start()

    def receive() -> Any:
        """The next message of a worker (a worker that died says so at once)."""
        while True:
            try:
                message = results.get(timeout=1)
            except queue.Empty:
                dead = [p.exitcode for p in processes if p.exitcode not in (None, 0)]
                if dead:
                    raise RuntimeError(f"a worker process died (exit code {dead[0]})") from None
                continue
            if message[0] == "error":
                raise RuntimeError(f"worker {message[1]} failed:\n{message[2]}")
            return message

    try:
        for _ in range(WORKERS):
            receive()  # ready: store open, a connection in its pool
        start = time.perf_counter()  # CLOCK_MONOTONIC: the workers' clocks are this one
        go.set()
        ends, requests, latencies = [], 0, []
        for _ in range(WORKERS):
            _, _, end, n, times = receive()
            ends.append(end)
            requests += n
            latencies += times
    finally:
        for process in processes:
            process.join(timeout=60)
            if process.is_alive():  # pragma: no cover - a hung worker
                process.terminate()
    return Rush(max(ends) - start, requests, latencies)


def _server_answers(backend: str, url: str) -> str | None:
    """None when the server answers, else why not."""
    try:
        _connect(backend, url).close()
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
    return None


def _reset(url: str) -> None:
    """The benchmark database afresh: periscolaire's tables and the floor's."""
    import sqlalchemy as sa

    import periscolaire as ps
    from periscolaire.store import sql

    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            sql.metadata.drop_all(conn)
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {sql.VERSION_TABLE}"))
            _floor_metadata(sa).drop_all(conn)
    finally:
        engine.dispose()
    ps.open_store(url, upgrade=True).close()


def _floor_metadata(sa: Any) -> Any:
    """``floor_slot`` and ``floor_reservation``: periscolaire's shapes and indexes."""
    metadata = sa.MetaData()
    sa.Table(
        "floor_slot",
        metadata,
        sa.Column("commune", sa.String(100), primary_key=True),
        sa.Column("activity", sa.String(64), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("capacity", sa.Integer, nullable=True),
        sa.Column("taken", sa.Integer, nullable=False, server_default="0"),
        sa.Column("waiting", sa.Integer, nullable=False, server_default="0"),
    )
    sa.Table(
        "floor_reservation",
        metadata,
        sa.Column("commune", sa.String(100), primary_key=True),
        sa.Column("child", sa.String(100), primary_key=True),
        sa.Column("activity", sa.String(64), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("family", sa.String(100), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("sequence", sa.BigInteger, nullable=False),
        sa.Column("transmitted", sa.Boolean, nullable=False),
        sa.Column("confirmation", sa.BigInteger, nullable=True),
        sa.Index("ix_floor_reservation_queue", "commune", "activity", "day", "status", "sequence"),
        sa.Index("ix_floor_reservation_family", "commune", "family"),
        sa.Index("ix_floor_reservation_confirmation", "commune", "confirmation"),
    )
    return metadata


def _create_floor(url: str, slots: list[tuple[str, date]]) -> None:
    import sqlalchemy as sa

    import periscolaire as ps

    rules = ps.Register(ps.load_commune()).rules
    metadata = _floor_metadata(sa)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            metadata.drop_all(conn)
            metadata.create_all(conn)
            conn.execute(
                metadata.tables["floor_slot"].insert(),
                [
                    {"commune": "bench", "activity": a, "day": d, "capacity": rules.capacity_on(a, d)}
                    for a, d in sorted(set(slots))
                ],
            )
    finally:
        engine.dispose()


class Check:
    """What the store holds after a rush, read from its rows."""

    def __init__(self) -> None:
        self.overbooked = 0  # (activity, day) slots with more accepted than places
        self.counters_off = 0  # slots whose counters are not their rows' counts
        self.unfair = 0  # slots where someone waits with a sequence before an accepted one
        self.accepted = 0
        self.waitlisted = 0


def _check(url: str, key: str) -> Check:
    """No overbooking, counters that match the rows, first come first served."""
    import attrs
    import sqlalchemy as sa

    import periscolaire as ps
    from periscolaire.store.sql import reservation_table, slot_table

    register = ps.Register(attrs.evolve(ps.load_commune(), key=key), store=ps.open_store(url))
    r = reservation_table.c
    s = slot_table.c
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(
                    r.activity,
                    r.day,
                    r.status,
                    sa.func.count(),
                    sa.func.min(r.sequence),
                    sa.func.max(r.sequence),
                )
                .where(r.commune == key)
                .group_by(r.activity, r.day, r.status)
            ).all()
            counters = {
                (a, d): (t, w)
                for a, d, t, w in conn.execute(
                    sa.select(s.activity, s.day, s.taken, s.waiting).where(s.commune == key)
                )
            }
    finally:
        engine.dispose()
    check = Check()
    slots: dict[tuple[str, date], dict[str, tuple[int, int, int]]] = {}
    for code, day, status, n, first, last in rows:
        slots.setdefault((code, day), {})[status] = (n, first, last)
    for (code, day), by_status in slots.items():
        accepted, _, last_accepted = by_status.get("accepted", (0, 0, 0))
        waiting, first_waiting, _ = by_status.get("waitlisted", (0, 0, 0))
        check.accepted += accepted
        check.waitlisted += waiting
        capacity = register.capacity(code, day)
        check.overbooked += capacity is not None and accepted > capacity
        check.counters_off += counters.get((code, day)) != (accepted, waiting)
        check.unfair += bool(waiting and accepted and last_accepted > first_waiting)
    register.store.close()
    return check


# --------------------------------------------------------------------------
# The figures
# --------------------------------------------------------------------------


def _url(backend: str, directory: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{Path(directory) / 'bench.db'}"
    return os.environ.get(URL_VARIABLES[backend], DEFAULT_URLS[backend])


def _backends() -> list[str]:
    chosen = os.environ.get("PERISCOLAIRE_BENCH_BACKENDS")
    return [b.strip() for b in chosen.split(",")] if chosen else ["sqlite", "postgresql", "mariadb"]


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms"


def store_rush(backend: str, families: int | None = None) -> list[Figure]:
    """The figures of one backend (one "skipped" line when its server does not answer)."""
    import sqlalchemy as sa

    label = LABELS[backend]
    families = families or families_wanted()
    with tempfile.TemporaryDirectory(prefix="periscolaire-bench-") as directory:
        url = _url(backend, directory)
        shown = sa.make_url(url).render_as_string(hide_password=True)
        if backend != "sqlite":
            why = _server_answers(backend, url)
            if why is not None:
                return [
                    Figure(
                        f"store rush, {label}",
                        "",
                        "skipped: the server does not answer",
                        f"{shown} ({why[:70]})",
                    )
                ]
        _reset(url)
        slots = _requested_slots()
        _create_floor(url, slots)
        floor = _run_processes(
            floor_worker, lambda w, go, results: (backend, url, w, families, slots, go, results)
        )
        key = f"bench-{os.getpid()}-{time.time_ns()}"
        store = _run_processes(store_worker, lambda w, go, results: (url, key, w, families, go, results))
        check = _check(url, key)
    per = store.requests / families
    ratio = store.rate / floor.rate
    rate_target = RATE_TARGETS[backend]
    p99_target = P99_TARGETS[backend]
    driver = DRIVERS[backend]
    return [
        Figure(
            f"store rush, {label}: {WORKERS} processes, {families:,} families × {per:.0f} day-requests",
            f"≥ {rate_target:,} requests/s" if rate_target else f"≥ {FLOOR_RATIO}× the floor",
            f"{store.rate:,.0f} requests/s ({fmt_seconds(store.seconds)})",
            f"floor ({driver}): {floor.rate:,.0f}/s ({fmt_seconds(floor.seconds)})",
            store.rate >= rate_target if rate_target else ratio >= FLOOR_RATIO,
        ),
        Figure(
            f"store rush, {label}: confirm latency p50 / p99",
            f"p99 ≤ {_ms(p99_target)}" if p99_target else "(reported)",
            f"{_ms(store.p50)} / {_ms(store.p99)}",
            f"floor: {_ms(floor.p50)} / {_ms(floor.p99)}",
            store.p99 <= p99_target if p99_target else None,
        ),
        Figure(
            f"store rush, {label}: vs the floor (hand-written transaction, raw {driver})",
            f"≥ {FLOOR_RATIO}× the floor",
            f"{ratio:.2f}× the floor",
            f"floor: {floor.rate:,.0f}/s, p99 {_ms(floor.p99)}",
            ratio >= FLOOR_RATIO,
        ),
        Figure(
            f"store rush, {label}: overbooked (activity, day) slots",
            "0",
            str(check.overbooked),
            f"accepted {check.accepted:,}, waitlisted {check.waitlisted:,}; counters off "
            f"{check.counters_off}, waiting lists out of order {check.unfair}",
            check.overbooked == 0 and check.counters_off == 0 and check.unfair == 0,
        ),
    ]


def sqlite_rush() -> list[Figure]:
    return store_rush("sqlite") if "sqlite" in _backends() else []


def postgresql_rush() -> list[Figure]:
    return store_rush("postgresql") if "postgresql" in _backends() else []


def mariadb_rush() -> list[Figure]:
    return store_rush("mariadb") if "mariadb" in _backends() else []


FIGURES = [sqlite_rush, postgresql_rush, mariadb_rush]


def main() -> int:
    rows: list[Figure] = []
    for figure in FIGURES:
        print(f"… bench_store.{figure.__name__}", file=sys.stderr, flush=True)
        rows.extend(figure())
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
