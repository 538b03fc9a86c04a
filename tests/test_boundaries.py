"""Every public entry point, given hostile values, raises a PeriscolaireError or
answers — never an AttributeError, a bare TypeError or a ValueError from inside
— and a refused call changes nothing (issue 11).

One Hypothesis test per entry point: the value in one argument is drawn from
None, wrong types, huge and special numbers, odd strings (surrogates, control
characters), dates for datetimes and datetimes for dates, bytes, lists, dicts.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import periscolaire as ps

NOW = datetime(2024, 8, 26, 10)
WEDNESDAY = date(2024, 9, 11)
FAMILY = ps.Family("F-DUPONT", "DUPONT", (ps.Child("paolo", "Paolo", "DUPONT"),))


@functools.cache
def commune() -> ps.Commune:
    """The bundled Cestas, loaded at first use: inside a test, not at import (mutmut
    attributes to a test only the code run while it runs)."""
    return ps.load_commune()


def cal() -> ps.SchoolCalendar:
    return commune().calendar


hostile = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["", " ", "\udc80", "a\x00b", "2024-09-11", "MERCREDI ", "\u202e", "x" * 5000]),
    st.binary(max_size=8),
    st.dates(),
    st.datetimes(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.tuples(st.text(max_size=3), st.integers()),
)


def register() -> ps.Register:
    found = ps.Register(commune())
    session = found.open_session(FAMILY, now=NOW, balance=Decimal(0), dossier_complete=True)
    session.toggle_day("paolo", "MERCREDI", WEDNESDAY)
    session.confirm(NOW)
    return found


def snapshot_register(r: ps.Register) -> Any:
    return (list(r.reservations()), r.taken("MERCREDI", WEDNESDAY), r.places_left("MERCREDI", WEDNESDAY))


def account() -> ps.Account:
    found = ps.Account(("RESTAURATION", "PERISCOLAIRE"))
    found.pay("RESTAURATION", Decimal("30.00"), date(2024, 8, 26), reference="CB-1")
    return found


def dossier() -> ps.Dossier:
    found = ps.Dossier.open(FAMILY, 2024)
    found.add_contact("DURAND", "Anne", "0601020304")
    return found


def cancel_then_confirm(r: ps.Register, now: Any) -> Any:
    session = r.open_session(FAMILY, now=NOW, balance=Decimal(0), dossier_complete=True)
    session.toggle_day("paolo", "MERCREDI", WEDNESDAY)
    return session.confirm(now)


ENTRY_POINTS: dict[str, tuple[Callable[[], Any], Callable[[Any], Any], Callable[[Any, Any], Any]]] = {
    # name: (make the object, snapshot of its state, the call with the hostile value)
    "calendar.is_bookable(day)": (cal, repr, lambda c, v: c.is_bookable("MERCREDI", v, NOW)),
    "calendar.is_bookable(now)": (cal, repr, lambda c, v: c.is_bookable("MERCREDI", WEDNESDAY, v)),
    "calendar.is_bookable(code)": (cal, repr, lambda c, v: c.is_bookable(v, WEDNESDAY, NOW)),
    "calendar.closes_at": (cal, repr, lambda c, v: c.closes_at("MERCREDI", v)),
    "calendar.state": (cal, repr, lambda c, v: c.state("MERCREDI", WEDNESDAY, v)),
    "calendar.states": (cal, repr, lambda c, v: c.states("MERCREDI", v, date(2024, 9, 30), NOW)),
    "calendar.running_days": (cal, repr, lambda c, v: c.running_days("MERCREDI", v)),
    "calendar.period": (cal, repr, lambda c, v: c.period(v)),
    "calendar.period_of": (cal, repr, lambda c, v: c.period_of(v)),
    "register.set_capacity(places)": (
        register,
        snapshot_register,
        lambda r, v: r.set_capacity("MERCREDI", WEDNESDAY, v, now=NOW),
    ),
    "register.set_capacity(now)": (
        register,
        snapshot_register,
        lambda r, v: r.set_capacity("MERCREDI", WEDNESDAY, 3, now=v) if v is not None else None,
    ),
    "register.status": (register, snapshot_register, lambda r, v: r.status(v, "MERCREDI", WEDNESDAY)),
    "register.places_left": (register, snapshot_register, lambda r, v: r.places_left("MERCREDI", v)),
    "register.transmit": (register, snapshot_register, lambda r, v: r.transmit(v)),
    "register.load": (lambda: ps.Register(commune()), snapshot_register, lambda r, v: r.load(v)),
    "register.open_session(balance)": (
        register,
        snapshot_register,
        lambda r, v: r.open_session(FAMILY, now=NOW, balance=v, dossier_complete=True),
    ),
    "register.open_session(dossier_complete)": (
        register,
        snapshot_register,
        lambda r, v: r.open_session(FAMILY, now=NOW, balance=Decimal(0), dossier_complete=v),
    ),
    "register.open_session(pending)": (
        register,
        snapshot_register,
        lambda r, v: r.open_session(FAMILY, now=NOW, balance=Decimal(0), dossier_complete=True, pending=v),
    ),
    "session.toggle_day(day)": (
        register,
        snapshot_register,
        lambda r, v: r.open_session(FAMILY, now=NOW, balance=Decimal(0), dossier_complete=True).toggle_day(
            "paolo", "MERCREDI", v
        ),
    ),
    "session.toggle_month(day)": (
        register,
        snapshot_register,
        lambda r, v: r.open_session(FAMILY, now=NOW, balance=Decimal(0), dossier_complete=True).toggle_month(
            "paolo", "RESTAURATION", v
        ),
    ),
    "session.month(year)": (
        register,
        snapshot_register,
        lambda r, v: r.open_session(FAMILY, now=NOW, balance=Decimal(0), dossier_complete=True).month(
            "paolo", "MERCREDI", v, 9
        ),
    ),
    "session.confirm(now)": (
        register,
        snapshot_register,
        cancel_then_confirm,
    ),
    "Reservation(sequence)": (
        lambda: None,
        repr,
        lambda _, v: ps.Register.from_reservations(
            commune(), [ps.Reservation("paolo", "MERCREDI", WEDNESDAY, "F-DUPONT", "accepted", sequence=v)]
        ),
    ),
    "Reservation(status)": (
        lambda: None,
        repr,
        lambda _, v: ps.Reservation("paolo", "MERCREDI", WEDNESDAY, "F-DUPONT", v, sequence=1),
    ),
    "Family(children)": (lambda: None, repr, lambda _, v: ps.Family("F1", "X", v)),
    "Child(activities)": (lambda: None, repr, lambda _, v: ps.Child("c", "X", "Y", activities=v)),
    "Account(wallets)": (lambda: None, repr, lambda _, v: ps.Account(v)),
    "account.pay(amount)": (
        account,
        lambda a: a.entries,
        lambda a, v: a.pay("RESTAURATION", v, date(2024, 9, 1), reference="CB-2"),
    ),
    "account.pay(on)": (
        account,
        lambda a: a.entries,
        lambda a, v: a.pay("RESTAURATION", Decimal(1), v, reference="CB-2"),
    ),
    "account.pay(reference)": (
        account,
        lambda a: a.entries,
        lambda a, v: a.pay("RESTAURATION", Decimal(1), date(2024, 9, 1), reference=v),
    ),
    "account.correct": (account, lambda a: a.entries, lambda a, v: a.correct(v, date(2024, 9, 1))),
    "account.history": (account, lambda a: a.entries, lambda a, v: a.history(v)),
    "account.estimate": (account, lambda a: a.entries, lambda a, v: a.estimate(v)),
    "pricing.price(qf)": (lambda: commune().activities["RESTAURATION"].tariff, repr, lambda p, v: p.price(v)),
    "pricing.price(usage)": (
        lambda: commune().activities["RESTAURATION"].tariff,
        repr,
        lambda p, v: p.price(None, usage=v),
    ),
    "dossier.edit(value)": (
        dossier,
        lambda d: d.to_dict(),
        lambda d, v: d.edit(ps.FicheKind.SANTE, "paolo", allergies=v),
    ),
    "dossier.edit(kind)": (dossier, lambda d: d.to_dict(), lambda d, v: d.edit(v, "paolo")),
    "dossier.link_contact(may_pick_up)": (
        dossier,
        lambda d: d.to_dict(),
        lambda d, v: d.link_contact("paolo", "C1", relationship="Tante", may_pick_up=v, emergency_call=False),
    ),
    "dossier.transmit(now)": (
        dossier,
        lambda d: d.to_dict(),
        lambda d, v: d.transmit(ps.FicheKind.AUTORISATIONS, "paolo", now=v),
    ),
    "dossier.reject(reason)": (
        dossier,
        lambda d: d.to_dict(),
        lambda d, v: d.reject(ps.FicheKind.AUTORISATIONS, "paolo", reason=v, now=NOW, agent="a"),
    ),
    "dossier.update_contact": (dossier, lambda d: d.to_dict(), lambda d, v: d.update_contact("C1", phone=v)),
    "Upload(content)": (lambda: None, repr, lambda _, v: ps.Upload("a.pdf", v)),
    "render_nightly_report": (
        lambda: None,
        repr,
        lambda _, v: ps.render_nightly_report("Famille", "Cestas", v),
    ),
}


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
@settings(max_examples=60, deadline=None)
@given(value=hostile)
def test_a_hostile_value_is_a_typed_error_and_changes_nothing(name: str, value: Any) -> None:
    make, snapshot, call = ENTRY_POINTS[name]
    target = make()
    before = snapshot(target)
    try:
        call(target, value)
    except ps.PeriscolaireError:
        assert snapshot(target) == before  # refused: nothing changed
