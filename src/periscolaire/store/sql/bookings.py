"""One commune's booking state in a database, and the unit of work on its slots."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from periscolaire.booking import (
    Decision,
    Held,
    Key,
    Occupancy,
    Promotion,
    Request,
    Reservation,
    ReservationStatus,
    SlotCounts,
    SlotState,
)
from periscolaire.errors import InvalidArgument, StoreError
from periscolaire.store import BookingUnit, JournalEntry, Slot
from periscolaire.store.sql.connection import (
    CommunePart,
    _database_errors,
    _unprepared,
    insert_ignoring_duplicates,
)
from periscolaire.store.sql.schema import (
    _J,
    _KIND_KEYS,
    _P,
    _R,
    _S,
    journal_table,
    promotion_table,
    reservation_table,
    run_table,
    slot_table,
)
from periscolaire.store.sql.statements import (
    _Op,
    _raise_sequence,
)

if TYPE_CHECKING:
    from periscolaire.store.sql import SQLStore

T = TypeVar("T")


_RUN = run_table.c

# --------------------------------------------------------------------------
# One commune's bookings
# --------------------------------------------------------------------------


def _instant(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _movements_json(decision: Decision) -> str | None:
    entry = decision.journal()
    if entry is None:
        return None
    return json.dumps(
        {
            kind: [[k[0], k[1], k[2].isoformat()] for k in keys]
            for kind, keys in zip(_KIND_KEYS, entry[1:], strict=True)
        },
        separators=(",", ":"),
    )


def _keys(data: Any) -> tuple[Key, ...]:
    return tuple((child, code, date.fromisoformat(day)) for child, code, day in data)


class SQLBookings(CommunePart):
    """One commune's booking state in a database (see the module)."""

    #: Reads return snapshots of the database.
    live_reads = False

    def __init__(self, store: SQLStore, commune: str) -> None:
        super().__init__(store, commune)
        self._known: set[Slot] = set()
        self._ignore_duplicates = insert_ignoring_duplicates(store.dialect, slot_table)
        self.statements = store.statements

    # -- units of work ---------------------------------------------------------------

    def prepare(self, slots: Sequence[Slot]) -> None:
        """Create the rows of slots this process has not seen yet (in a
        transaction of their own: an existing row is left alone)."""
        missing = sorted({s for s in slots if s not in self._known})
        if missing:
            self._write(lambda conn: self._insert_slots(conn, missing))
            self._known.update(missing)

    def _insert_slots(self, conn: Connection, slots: Sequence[Slot]) -> None:
        rows = [{"commune": self.commune, "activity": a, "day": d} for a, d in slots]
        for start in range(0, len(rows), 500):
            conn.execute(self._ignore_duplicates, rows[start : start + 500])

    def run(
        self, work: Callable[[BookingUnit], T], *, keys: Sequence[Key] = (), slots: Sequence[Slot] = ()
    ) -> T:
        try:
            wanted = sorted({*slots, *((k[1], k[2]) for k in keys)})
        except (TypeError, IndexError):
            wanted = []
        if (not wanted and (keys or slots)) or any(
            type(d) is not date or type(a) is not str for a, d in wanted
        ):
            raise InvalidArgument(f"(enfant, activité, jour) attendus, reçu {list(keys) or list(slots)!r}.")
        self.prepare(wanted)

        def unit_of_work(conn: Connection) -> T:
            unit = _Unit(self, conn, wanted, keys)
            result = work(unit)
            unit.finish()
            return result

        return self._write(unit_of_work)

    # -- reading ----------------------------------------------------------------------

    def held(self, key: Key) -> Held | None:
        rows = self._read(
            sa.select(_R.family, _R.status, _R.sequence, _R.transmitted).where(
                _R.commune == self.commune, _R.child == key[0], _R.activity == key[1], _R.day == key[2]
            )
        )
        if not rows:
            return None
        family, status, sequence_, transmitted = rows[0]
        return (family, status == "accepted", sequence_, bool(transmitted))

    def children_reservations(self, children: Sequence[str]) -> Mapping[Key, Held]:
        if not children:
            return {}
        with _database_errors(self.store.url), self._reading.connect() as conn:
            return dict(self.statements.children(conn, self.commune, list(children)))

    def slot(self, code: str, day: date) -> SlotState:
        rows = self._read(
            sa.select(_S.capacity, _S.taken, _S.waiting).where(
                _S.commune == self.commune, _S.activity == code, _S.day == day
            )
        )
        if not rows:
            return SlotState(None, 0, 0)
        return SlotState(*rows[0])

    def occupancy(self, code: str, first: date, last: date) -> Occupancy:
        rows = self._read(
            sa.select(_S.day, _S.taken, _S.capacity).where(
                _S.commune == self.commune, _S.activity == code, _S.day.between(first, last)
            )
        )
        return Occupancy(
            {day: taken for day, taken, _ in rows if taken},
            {day: capacity for day, _, capacity in rows if capacity is not None},
        )

    def waiting_list(self, code: str, day: date) -> list[Key]:
        rows = self._read(
            sa.select(_R.child)
            .where(_R.commune == self.commune, _R.activity == code, _R.day == day, _R.status == "waitlisted")
            .order_by(_R.sequence)
        )
        return [(child, code, day) for (child,) in rows]

    def reservations(self, family: str | None = None) -> Iterator[Reservation]:
        statement = (
            sa.select(_R.child, _R.activity, _R.day, _R.family, _R.status, _R.sequence, _R.transmitted)
            .where(_R.commune == self.commune)
            .order_by(_R.sequence)
        )
        if family is not None:
            statement = statement.where(_R.family == family)
        for child, code, day, owner, status, seq, transmitted in self._read(statement):
            yield Reservation(child, code, day, owner, ReservationStatus(status), seq, bool(transmitted))

    def count(self) -> int:
        rows = self._read(
            sa.select(sa.func.count()).select_from(reservation_table).where(_R.commune == self.commune)
        )
        return int(rows[0][0])

    def load(self, rows: Sequence[Reservation]) -> None:
        self.prepare([(r.activity, r.day) for r in rows])
        self._write(lambda conn: self._load(conn, rows))

    def _load(self, conn: Connection, rows: Sequence[Reservation]) -> None:
        present = conn.execute(
            sa.select(sa.func.count()).select_from(reservation_table).where(_R.commune == self.commune)
        ).scalar_one()
        if present:
            raise StoreError(
                f"La commune {self.commune!r} a déjà des réservations dans ce stockage.", code="not_empty"
            )
        values = [
            {
                "commune": self.commune,
                "child": r.child,
                "activity": r.activity,
                "day": r.day,
                "family": r.family,
                "status": ReservationStatus(r.status).value,
                "sequence": r.sequence,
                "transmitted": r.transmitted,
                "confirmation": None,
            }
            for r in rows
        ]
        for start in range(0, len(values), 1000):
            conn.execute(sa.insert(reservation_table), values[start : start + 1000])
        counts: dict[Slot, list[int]] = {}
        for r in rows:
            pair = counts.setdefault((r.activity, r.day), [0, 0])
            pair[0 if r.status == ReservationStatus.ACCEPTED else 1] += 1
        if counts:
            ops = self.statements.update_counts(
                self.commune, [(a, d, t, w) for (a, d), (t, w) in counts.items()]
            )
            self.statements.write(conn, ops)
        top = max((r.sequence for r in rows), default=0)
        _raise_sequence(conn, self.store.dialect, top)

    # -- the nightly run and the outbox ------------------------------------------------

    def untransmitted(self, family: str | None = None) -> list[JournalEntry]:
        statement = (
            sa.select(_J.family, _J.at, _J.movements)
            .where(_J.commune == self.commune, _J.transmitted == sa.false())
            .order_by(_J.confirmation)
        )
        if family is not None:
            statement = statement.where(_J.family == family)
        return [_entry(*row) for row in self._read(statement)]

    def transmit(self, run: datetime) -> list[JournalEntry]:
        at = run.isoformat()

        def replay(conn: Connection) -> list[JournalEntry]:
            done = conn.execute(
                sa.select(_J.family, _J.at, _J.movements)
                .where(_J.commune == self.commune, _J.transmitted == sa.true(), _J.transmitted_at == at)
                .order_by(_J.confirmation)
            )
            return [_entry(*row) for row in done]

        def work(conn: Connection) -> list[JournalEntry]:
            known = conn.execute(
                sa.select(_RUN.at).where(_RUN.commune == self.commune, _RUN.at == at).with_for_update()
            ).first()
            if known is not None:  # the same night again: the same movements
                return replay(conn)
            # The run's row first: a second batch running the same night waits
            # here, then finds it (the unique key) and replays.
            conn.execute(sa.insert(run_table).values(commune=self.commune, at=at))
            rows = list(
                conn.execute(
                    sa.select(_J.confirmation, _J.family, _J.at, _J.movements)
                    .where(_J.commune == self.commune, _J.transmitted == sa.false())
                    .order_by(_J.confirmation)
                    .with_for_update()
                )
            )
            confirmations = [row[0] for row in rows]
            for start in range(0, len(confirmations), 500):
                chunk = confirmations[start : start + 500]
                conn.execute(
                    sa.update(journal_table)
                    .where(_J.commune == self.commune, _J.confirmation.in_(chunk))
                    .values(transmitted=True, transmitted_at=at)
                )
                conn.execute(
                    sa.update(reservation_table)
                    .where(
                        _R.commune == self.commune, _R.confirmation.in_(chunk), _R.transmitted == sa.false()
                    )
                    .values(transmitted=True)
                )
            # Reservations loaded from elsewhere have no journal entry: the night marks them too.
            conn.execute(
                sa.update(reservation_table)
                .where(_R.commune == self.commune, _R.confirmation.is_(None), _R.transmitted == sa.false())
                .values(transmitted=True)
            )
            return [_entry(family, at_, movements) for _, family, at_, movements in rows]

        try:
            return self._write(work)
        except StoreError as exc:
            if not isinstance(exc.__cause__, sa.exc.IntegrityError):
                raise
            return self._write(work)  # another batch recorded this night meanwhile: replay it

    _PENDING = (
        sa.select(_P.id, _P.child, _P.activity, _P.day, _P.family, _P.at)
        .where(_P.commune == sa.bindparam("c"), _P.sent == sa.false())
        .order_by(_P.id)
    )

    def pending_promotions(self) -> list[Promotion]:
        return _promotions(self._read(self._PENDING.params(c=self.commune)))

    def take_promotions(self, now: datetime | None) -> list[Promotion]:
        def work(conn: Connection) -> list[Promotion]:
            # Locked: a second taker waits, then finds them sent.
            taken = _promotions(conn.execute(self._PENDING.params(c=self.commune).with_for_update()))
            self._mark(conn, [p.id for p in taken], now)
            return taken

        return self._write(work)

    def mark_sent(self, ids: Sequence[int], now: datetime | None) -> None:
        ids = list(ids)
        if ids:
            self._write(lambda conn: self._mark(conn, ids, now))

    def _mark(self, conn: Connection, ids: Sequence[int], now: datetime | None) -> None:
        for start in range(0, len(ids), 500):
            conn.execute(
                sa.update(promotion_table)
                .where(_P.commune == self.commune, _P.id.in_(ids[start : start + 500]))
                .values(sent=True, sent_at=_instant(now))
            )

    def __repr__(self) -> str:
        return f"SQLBookings({self.store.url!r}, commune={self.commune!r})"


def _promotions(rows: Iterable[Any]) -> list[Promotion]:
    return [
        Promotion(Request(child, code, day), family, datetime.fromisoformat(at), id=pid)
        for pid, child, code, day, family, at in rows
    ]


def _entry(family: str, at: str, movements: str) -> JournalEntry:
    data = json.loads(movements)
    return JournalEntry(family, datetime.fromisoformat(at), *(_keys(data.get(k, ())) for k in _KIND_KEYS))


_HELD = sa.select(_R.family, _R.status, _R.sequence, _R.transmitted).where(
    _R.commune == sa.bindparam("c"),
    _R.child == sa.bindparam("k"),
    _R.activity == sa.bindparam("a"),
    _R.day == sa.bindparam("d"),
)


class _Unit:
    """A unit of work on locked slots of one commune (a transaction).

    On PostgreSQL its writes wait in :attr:`_pending` until the unit reads
    again or ends (:meth:`finish`), and then travel together, with the
    COMMIT at the end; elsewhere they run as the decision is applied."""

    def __init__(
        self, bookings: SQLBookings, conn: Connection, slots: Sequence[Slot], keys: Sequence[Key]
    ) -> None:
        self._conn = conn
        self._commune = commune = bookings.commune
        self._sql = sql = bookings.statements
        self._pending: list[_Op] = []
        self._counts: dict[str, SlotCounts] = {}
        rows, held, self._first = sql.open(conn, commune, slots, keys)
        taken: dict[str, dict[date, int]] = {}
        waiting: dict[str, dict[date, int]] = {}
        overrides: dict[str, dict[date, int]] = {}
        for activity, day, capacity, n_taken, n_waiting in rows:
            by_day = taken.get(activity)
            if by_day is None:
                by_day = taken[activity] = {}
                waiting[activity] = {}
                overrides[activity] = {}
            by_day[day] = n_taken
            waiting[activity][day] = n_waiting
            if capacity is not None:
                overrides[activity][day] = capacity
        for code, by_day in taken.items():
            self._counts[code] = SlotCounts(by_day, waiting[code], overrides[code])
        self._held: dict[Key, Held | None] = dict.fromkeys(keys)
        self._held.update(held)

    def _flush(self) -> None:
        if self._pending:
            ops, self._pending = self._pending, []
            self._sql.write(self._conn, ops)

    def finish(self) -> None:
        """Run the writes still waiting; on PostgreSQL, commit with them."""
        ops, self._pending = self._pending, []
        self._sql.write(self._conn, ops, commit=True)

    def held(self, key: Key) -> Held | None:
        try:
            return self._held[key]
        except KeyError:
            pass
        self._flush()
        with _unprepared(self._conn):
            row = self._conn.execute(
                _HELD, {"c": self._commune, "k": key[0], "a": key[1], "d": key[2]}
            ).first()
        held = None if row is None else (row[0], row[1] == "accepted", row[2], bool(row[3]))
        self._held[key] = held
        return held

    def counts(self, code: str) -> SlotCounts:
        return self._counts.get(code) or SlotCounts({}, {}, {})

    def queue(self, code: str, day: date, n: int) -> list[tuple[Key, str]]:
        self._flush()
        rows = self._sql.queue(self._conn, self._commune, code, day, n)
        return [((child, code, day), family) for child, family in rows]

    def set_override(self, code: str, day: date, places: int | None) -> None:
        self._flush()
        self._conn.execute(
            sa.update(slot_table)
            .where(_S.commune == self._commune, _S.activity == code, _S.day == day)
            .values(capacity=places)
        )
        overrides = self.counts(code).overrides
        assert isinstance(overrides, dict), "set_override on a slot the unit did not lock"
        if places is None:
            overrides.pop(day, None)
        else:
            overrides[day] = places  # what a decision in this unit reads next

    def apply(self, decision: Decision) -> None:
        self._flush()
        conn = self._conn
        commune = self._commune
        sql = self._sql
        needed = len(decision.added) + len(decision.promoted) + 1
        first = sql.allocate(conn, needed, self._first)
        self._first = None  # a block serves one decision
        confirmation = first
        ops = self._pending
        if decision.cancelled:
            ops += sql.delete(commune, [key for key, _ in decision.cancelled])
        if decision.promoted:
            ops += sql.promote(commune, [key for key, _ in decision.promoted])
        if decision.added:
            ops += sql.insert(commune, decision.family, confirmation, decision.added)
        counts = list(decision.slots())
        if counts:
            ops += sql.update_counts(commune, counts)
        movements = _movements_json(decision)
        if movements is not None:
            at = _instant(decision.now)
            ops += sql.journal((commune, confirmation, decision.family, at, movements, False))
        if decision.promoted:
            base = first + len(decision.added) + 1
            at = _instant(decision.now)
            ops += sql.promotions(
                [
                    (commune, base + i, *key, owner, at, False)
                    for i, (key, owner) in enumerate(decision.promoted)
                ]
            )
        if not sql.defer_writes:
            self._flush()
