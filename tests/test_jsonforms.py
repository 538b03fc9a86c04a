"""JSON-safe forms: what a host keeps between requests and workers.

Every record a portal sends to a browser, a cache or another worker —
``Outcome``, ``Reservation``, ``Movement``, ``Promotion``, ``Family``,
``Child`` and a session's pending changes — goes through JSON and comes back
equal; data that does not describe one is refused with ``ps.InvalidData``
naming the key, and nothing changes.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

import periscolaire as ps

WEDNESDAY = date(2024, 9, 18)
REQUEST = ps.Request("paolo", "MERCREDI", WEDNESDAY)
PAOLO = ps.Child("paolo", "Paolo", "DUPONT")
AMALIA = ps.Child("amalia", "Amalia", "DUPONT", activities={"RESTAURATION", "ACCUEIL_SOIR"})


def through_json(data: Any) -> Any:
    return json.loads(json.dumps(data))


@pytest.mark.parametrize(
    "record",
    [
        ps.Outcome(
            accepted=(REQUEST,),
            waitlisted=(ps.Request("paolo", "MERCREDI", date(2024, 9, 25)),),
            refused=(ps.Rejection(ps.Request("paolo", "RESTAURATION", date(2024, 9, 2)), "past_deadline"),),
            cancelled=(ps.Request("paolo", "RESTAURATION", date(2024, 9, 3)),),
        ),
        ps.Reservation(
            "paolo", "MERCREDI", WEDNESDAY, "F-DUPONT", "waitlisted", sequence=12, transmitted=True
        ),
        ps.Promotion(REQUEST, "F-DUPONT", datetime(2024, 9, 2, 18, 1), id=4097),
        ps.Family("F-DUPONT", "DUPONT", (PAOLO, AMALIA)),
        ps.Family(
            "F-PERE", "DURAND", (PAOLO,), custody=ps.AlternateWeeks(date(2024, 9, 2), extra={WEDNESDAY})
        ),
        ps.Family("F-MERE", "DUPONT", (PAOLO,), custody=ps.CustodyDays({WEDNESDAY, date(2024, 9, 25)})),
        AMALIA,
    ],
    ids=lambda r: type(r).__name__,
)
def test_a_record_comes_back_equal_through_json(record: Any) -> None:
    assert type(record).from_dict(through_json(record.to_dict())) == record


def test_a_movement_comes_back_equal_through_json() -> None:
    movement = ps.Movement(ps.MovementKind.CANCELLED, "MERCREDI", "paolo", WEDNESDAY)
    assert ps.Movement.from_dict(through_json(movement.to_dict())) == movement


def test_a_promotion_id_survives_json() -> None:
    promotion = ps.Promotion(REQUEST, "F-DUPONT", datetime(2024, 9, 2, 18, 1), id=4097)
    assert ps.Promotion.from_dict(through_json(promotion.to_dict())).id == 4097


def test_an_outcome_carries_the_french_message_of_each_refusal() -> None:
    outcome = ps.Outcome(refused=(ps.Rejection(REQUEST, "full"),))
    assert outcome.to_dict()["refused"] == [
        {**REQUEST.to_dict(), "code": "full", "message": "Plus de place disponible."}
    ]


@pytest.mark.parametrize(
    ("cls", "data", "path"),
    [
        (
            ps.Reservation,
            {
                "child": "paolo",
                "activity": "MERCREDI",
                "day": "18/09/2024",
                "family": "F",
                "status": "accepted",
            },
            "day",
        ),
        (
            ps.Reservation,
            {
                "child": "paolo",
                "activity": "MERCREDI",
                "day": "2024-09-18",
                "family": "F",
                "status": "booked",
            },
            "status",
        ),
        (
            ps.Reservation,
            {
                "child": "paolo",
                "activity": "MERCREDI",
                "day": "2024-09-18",
                "family": "F",
                "status": "accepted",
                "sequence": "12",
            },
            "sequence",
        ),
        (
            ps.Reservation,
            {"activity": "MERCREDI", "day": "2024-09-18", "family": "F", "status": "accepted"},
            "child",
        ),
        (ps.Outcome, {"accepted": [{"child": "paolo", "activity": "MERCREDI"}]}, "accepted[0].day"),
        (ps.Outcome, {"refused": "none"}, "refused"),
        (
            ps.Movement,
            {"kind": "moved", "activity": "MERCREDI", "child": "paolo", "day": "2024-09-18"},
            "kind",
        ),
        (
            ps.Promotion,
            {"child": "paolo", "activity": "MERCREDI", "day": "2024-09-18", "family": "F", "at": "yesterday"},
            "at",
        ),
        (
            ps.Family,
            {"id": "F", "name": "N", "children": [{"id": "a", "first_name": "", "last_name": "B"}]},
            "children[0].first_name",
        ),
        (ps.Family, {"id": "F", "name": "N", "children": [], "custody": {"weeks": 2}}, "custody"),
        (
            ps.Family,
            {"id": "F", "name": "N", "children": [], "custody": {"days": ["2024-13-01"]}},
            "custody.days[0]",
        ),
        (ps.Child, ["paolo"], ""),
    ],
)
def test_data_that_is_not_a_record_is_refused_naming_its_key(cls: Any, data: Any, path: str) -> None:
    with pytest.raises(ps.InvalidData) as info:
        cls.from_dict(data)
    assert info.value.path == path
    assert isinstance(info.value, ps.PeriscolaireError)


# -- a session's pending changes ------------------------------------------------------


@pytest.fixture
def session(cestas: ps.Commune) -> ps.BookingSession:
    register = ps.Register(cestas)
    family = ps.Family("F-DUPONT", "DUPONT", (PAOLO, AMALIA))
    return register.open_session(
        family, now=datetime(2024, 8, 26, 10), balance=Decimal(0), dossier_complete=True
    )


def test_pending_changes_come_back_in_the_order_selected(session: ps.BookingSession) -> None:
    session.toggle_week("paolo", "RESTAURATION", date(2024, 9, 9))
    session.toggle_day("amalia", "ACCUEIL_SOIR", date(2024, 9, 2))
    saved = through_json(session.to_dict())
    register = session.register
    assert isinstance(register, ps.Register)
    again = register.open_session(
        session.family, now=session.now, balance=Decimal(0), dossier_complete=True, pending=saved
    )
    assert again.to_dict() == session.to_dict()
    assert again.recap() == session.recap()


@pytest.mark.parametrize(
    ("change", "path", "code"),
    [
        (
            {"child": "lea", "activity": "MERCREDI", "day": "2024-09-18", "action": "book"},
            "pending[1].child",
            "unknown_child",
        ),
        (
            {"child": "paolo", "activity": "PISCINE", "day": "2024-09-18", "action": "book"},
            "pending[1].activity",
            "unknown_activity",
        ),
        (
            {"child": "paolo", "activity": "MERCREDI", "day": "2024-09-18", "action": "maybe"},
            "pending[1].action",
            "invalid_data",
        ),
        (
            {"child": "paolo", "activity": "MERCREDI", "day": "mercredi", "action": "book"},
            "pending[1].day",
            "invalid_data",
        ),
    ],
)
def test_saved_changes_that_do_not_fit_the_family_are_refused_and_nothing_changes(
    session: ps.BookingSession, change: dict[str, str], path: str, code: str
) -> None:
    session.toggle_day("paolo", "MERCREDI", date(2024, 9, 11))
    before = session.recap()
    saved = session.to_dict()
    saved["pending"].append(change)
    with pytest.raises(ps.InvalidData) as info:
        session.restore(saved)
    assert (info.value.path, info.value.code) == (path, code)
    assert session.recap() == before


def test_changes_saved_by_another_account_are_refused(session: ps.BookingSession) -> None:
    with pytest.raises(ps.InvalidData) as info:
        session.restore({"family": "F-MARTIN", "pending": []})
    assert info.value.code == "other_family"
