"""The booking records' JSON-safe forms: every key a host reads back is named
when it is wrong.

A portal keeps outcomes, reservations, movements, promotions and a session's
pending changes in JSON (its session, a cache, a queue); reading one back
either gives the record, with the documented defaults for the optional keys,
or raises ``ps.InvalidData`` whose ``path`` names the offending key — inside a
list, with the list's path (``"refused[1].code"``) — and whose ``code`` tells
a missing key from a bad value (docs/booking.md).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

import periscolaire as ps

WEDNESDAY = date(2024, 9, 18)
REQUEST = {"child": "paolo", "activity": "MERCREDI", "day": "2024-09-18"}
#: A valid form of each record, and a bad value for each of its keys.
FORMS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "request": (REQUEST, {"child": "", "activity": 12, "day": "18/09/2024"}),
    "movement": (
        {"kind": "cancelled", **REQUEST},
        {"kind": "moved", "child": None, "activity": "", "day": "2024-13-01"},
    ),
    "rejection": ({**REQUEST, "code": "full"}, {"child": [], "activity": "", "day": 20240918, "code": ""}),
    "reservation": (
        {**REQUEST, "family": "F-DUPONT", "status": "waitlisted", "sequence": 3, "transmitted": True},
        {
            "child": "",
            "activity": None,
            "day": "mercredi",
            "family": 7,
            "status": "booked",
            "sequence": "3",
            "transmitted": "yes",
        },
    ),
    "promotion": (
        {**REQUEST, "family": "F-DUPONT", "at": "2024-09-02T18:01:00", "id": 7},
        {"child": 3, "activity": "", "day": "demain", "family": "", "at": "yesterday", "id": "7"},
    ),
}
#: How each record is read: (reader, the path its keys are named under).
READERS: dict[str, list[tuple[Callable[[Any], Any], str]]] = {
    "request": [
        (ps.Request.from_dict, ""),
        (lambda d: ps.Request.from_dict(d, "pending[4]"), "pending[4]"),
        (lambda d: ps.Outcome.from_dict({"accepted": [REQUEST, d]}), "accepted[1]"),
        (lambda d: ps.Outcome.from_dict({"waitlisted": [d]}), "waitlisted[0]"),
        (lambda d: ps.Outcome.from_dict({"cancelled": [REQUEST, REQUEST, d]}), "cancelled[2]"),
    ],
    "movement": [
        (ps.Movement.from_dict, ""),
        (lambda d: ps.Movement.from_dict(d, "movements[3]"), "movements[3]"),
    ],
    "rejection": [
        (ps.Rejection.from_dict, ""),
        (lambda d: ps.Outcome.from_dict({"refused": [{**REQUEST, "code": "full"}, d]}), "refused[1]"),
    ],
    "reservation": [(ps.Reservation.from_dict, "")],
    "promotion": [(ps.Promotion.from_dict, "")],
}


def _at(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _cases() -> list[Any]:
    cases = []
    for record, (valid, bad) in FORMS.items():
        for number, (read, prefix) in enumerate(READERS[record]):
            for key, value in bad.items():
                name = f"{record}-{number}-{key}"
                cases.append(
                    pytest.param(read, {**valid, key: value}, _at(prefix, key), "invalid_data", id=name)
                )
                missing = {k: v for k, v in valid.items() if k != key}
                if key not in ("sequence", "transmitted", "id"):  # optional keys
                    cases.append(
                        pytest.param(read, missing, _at(prefix, key), "missing_key", id=f"{name}-missing")
                    )
            cases.append(
                pytest.param(read, ["not", "an", "object"], prefix, "invalid_data", id=f"{record}-{number}")
            )
    return cases


@pytest.mark.parametrize(("read", "data", "path", "code"), _cases())
def test_a_bad_or_missing_key_is_refused_naming_it(
    read: Callable[[Any], Any], data: Any, path: str, code: str
) -> None:
    with pytest.raises(ps.InvalidData) as info:
        read(data)
    assert (info.value.path, info.value.code) == (path, code)


@pytest.mark.parametrize(
    ("data", "path"),
    [({"accepted": "none"}, "accepted"), ({"waitlisted": {}}, "waitlisted"), ({"cancelled": 3}, "cancelled")],
)
def test_an_outcome_section_that_is_not_a_list_is_refused_naming_it(data: dict[str, Any], path: str) -> None:
    with pytest.raises(ps.InvalidData) as info:
        ps.Outcome.from_dict(data)
    assert info.value.path == path


def test_every_record_reads_back_from_its_valid_form() -> None:
    day = WEDNESDAY
    request = ps.Request("paolo", "MERCREDI", day)
    assert ps.Request.from_dict(FORMS["request"][0]) == request
    assert ps.Movement.from_dict(FORMS["movement"][0]) == ps.Movement(
        ps.MovementKind.CANCELLED, "MERCREDI", "paolo", day
    )
    assert ps.Rejection.from_dict(FORMS["rejection"][0]) == ps.Rejection(request, "full")
    assert ps.Reservation.from_dict(FORMS["reservation"][0]) == ps.Reservation(
        "paolo", "MERCREDI", day, "F-DUPONT", ps.ReservationStatus.WAITLISTED, sequence=3, transmitted=True
    )
    promotion = ps.Promotion.from_dict(FORMS["promotion"][0])
    assert (promotion, promotion.id) == (ps.Promotion(request, "F-DUPONT", datetime(2024, 9, 2, 18, 1)), 7)


def test_the_optional_keys_read_as_their_defaults() -> None:
    # A reservation saved without them is the first of nothing, not yet transmitted;
    # a promotion without an id has none yet; an outcome without a section has nothing in it.
    reservation = ps.Reservation.from_dict({**REQUEST, "family": "F-DUPONT", "status": "accepted"})
    assert (reservation.sequence, reservation.transmitted) == (0, False)
    assert ps.Promotion.from_dict({**REQUEST, "family": "F", "at": "2024-09-02T18:01:00"}).id == 0
    assert ps.Outcome.from_dict({}) == ps.Outcome()


def test_the_forms_written_are_the_documented_ones() -> None:
    request = ps.Request("paolo", "MERCREDI", WEDNESDAY)
    assert request.to_dict() == REQUEST
    assert ps.Movement(ps.MovementKind.REFUSED, "MERCREDI", "paolo", WEDNESDAY).to_dict() == {
        "kind": "refused",
        **REQUEST,
    }
    assert ps.Rejection(request, "not_open_yet").to_dict() == {
        **REQUEST,
        "code": "not_open_yet",
        "message": "Les réservations de ce jour ne sont pas encore ouvertes.",
    }
    reservation = ps.Reservation("paolo", "MERCREDI", WEDNESDAY, "F-DUPONT", "accepted", sequence=2)
    assert reservation.to_dict() == {
        **REQUEST,
        "family": "F-DUPONT",
        "status": "accepted",
        "sequence": 2,
        "transmitted": False,
    }
    promotion = ps.Promotion(request, "F-DUPONT", datetime(2024, 9, 2, 18, 1), id=5)
    assert promotion.to_dict() == {**REQUEST, "family": "F-DUPONT", "at": "2024-09-02T18:01:00", "id": 5}
    outcome = ps.Outcome(accepted=(request,), cancelled=(request,))
    assert outcome.to_dict() == {
        "accepted": [REQUEST],
        "waitlisted": [],
        "refused": [],
        "cancelled": [REQUEST],
    }


def test_a_bad_status_names_the_statuses_a_reservation_may_have() -> None:
    with pytest.raises(ps.InvalidData) as info:
        ps.Reservation.from_dict({**REQUEST, "family": "F", "status": "booked"})
    assert info.value.path == "status"
    assert "accepted, waitlisted" in info.value.message
    assert "'booked'" in info.value.message


# -- a reservation built by a host -------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("day", datetime(2024, 9, 18, 8)),  # an instant is not a day
        ("day", "2024-09-18"),
        ("status", "booked"),
        ("sequence", -1),
        ("sequence", True),  # a boolean is not a count
        ("sequence", 2.0),
    ],
)
def test_a_reservation_with_a_bad_field_is_refused_naming_it(field: str, value: Any) -> None:
    fields: dict[str, Any] = {
        "child": "paolo",
        "activity": "MERCREDI",
        "day": WEDNESDAY,
        "family": "F",
        "status": "accepted",
        field: value,
    }
    with pytest.raises(ps.InvalidData) as info:
        ps.Reservation(**fields)
    assert info.value.path == field
    assert repr(value) in info.value.message


def test_a_sequence_of_zero_is_a_valid_count() -> None:
    assert ps.Reservation("paolo", "MERCREDI", WEDNESDAY, "F", "accepted", sequence=0).sequence == 0


# -- a session's pending changes ---------------------------------------------------------------


@pytest.fixture
def session(cestas: ps.Commune) -> ps.BookingSession:
    register = ps.Register(cestas)
    family = ps.Family("F-DUPONT", "DUPONT", (ps.Child("paolo", "Paolo", "DUPONT"),))
    first = register.open_session(
        family, now=datetime(2024, 8, 26, 10), balance=Decimal(0), dossier_complete=True
    )
    first.toggle_day("paolo", "MERCREDI", date(2024, 9, 25))
    first.confirm(datetime(2024, 8, 26, 10))
    return register.open_session(
        family, now=datetime(2024, 8, 26, 11), balance=Decimal(0), dossier_complete=True
    )


def test_saved_changes_say_book_or_cancel_and_come_back_as_such(session: ps.BookingSession) -> None:
    session.toggle_day("paolo", "MERCREDI", date(2024, 9, 18))
    session.toggle_day("paolo", "MERCREDI", date(2024, 9, 25))  # booked: a cancellation
    saved = session.to_dict()
    assert saved == {
        "family": "F-DUPONT",
        "pending": [
            {"child": "paolo", "activity": "MERCREDI", "day": "2024-09-18", "action": "book"},
            {"child": "paolo", "activity": "MERCREDI", "day": "2024-09-25", "action": "cancel"},
        ],
    }
    before = session.recap()
    session.discard()
    session.restore(saved)
    assert session.recap() == before
    assert session.recap().cancellations == (ps.Request("paolo", "MERCREDI", date(2024, 9, 25)),)


@pytest.mark.parametrize(
    ("data", "path", "code"),
    [
        ({"family": 12, "pending": []}, "family", "invalid_data"),
        ({"pending": []}, "family", "missing_key"),
        ({"family": "F-DUPONT"}, "pending", "missing_key"),
        ({"family": "F-DUPONT", "pending": "book"}, "pending", "invalid_data"),
        ({"family": "F-MARTIN", "pending": []}, "family", "other_family"),
        ({"family": "F-DUPONT", "pending": [["paolo"]]}, "pending[0]", "invalid_data"),
        ({"family": "F-DUPONT", "pending": [REQUEST]}, "pending[0].action", "missing_key"),
        (
            {"family": "F-DUPONT", "pending": [{**REQUEST, "action": "Cancel"}]},
            "pending[0].action",
            "invalid_data",
        ),
        ("F-DUPONT", "", "invalid_data"),
    ],
)
def test_saved_changes_that_are_not_a_sessions_are_refused_naming_the_key(
    session: ps.BookingSession, data: Any, path: str, code: str
) -> None:
    session.toggle_day("paolo", "MERCREDI", date(2024, 9, 18))
    before = session.recap()
    with pytest.raises(ps.InvalidData) as info:
        session.restore(data)
    assert (info.value.path, info.value.code) == (path, code)
    assert session.recap() == before


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({**REQUEST, "child": "lea", "action": "book"}, "'lea'"),
        ({**REQUEST, "activity": "PISCINE", "action": "book"}, "'PISCINE'"),
        ({**REQUEST, "action": "maybe"}, "'maybe'"),
        ({"family": "F-MARTIN"}, "'F-MARTIN'"),
    ],
)
def test_a_refused_change_names_what_does_not_fit(
    session: ps.BookingSession, change: Any, named: str
) -> None:
    data = change if "family" in change else {"family": "F-DUPONT", "pending": [change]}
    with pytest.raises(ps.InvalidData) as info:
        session.restore({"pending": [], **data})
    assert named in info.value.message
