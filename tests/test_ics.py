"""Calendar export (RFC 5545) of a family's reservations."""

from __future__ import annotations

from datetime import date, datetime

import icalendar

import periscolaire as ps
from periscolaire.ics import reservations_ics


def test_reservations_become_all_day_events_phones_can_import(cestas: ps.Commune) -> None:
    rows = [
        ps.Reservation("paolo", "RESTAURATION", date(2024, 9, 2), "F1", "accepted", 1),
        ps.Reservation("paolo", "MERCREDI", date(2024, 9, 18), "F1", "waitlisted", 2),
    ]
    data = reservations_ics(rows, cestas, names={"paolo": "Paolo"}, now=datetime(2024, 8, 19, 8, 12))
    assert b"\r\n" in data  # CRLF line endings, as RFC 5545 requires
    calendar = icalendar.Calendar.from_ical(data)
    events = list(calendar.walk("VEVENT"))
    assert [(e["summary"], e["status"], e.decoded("dtstart")) for e in events] == [
        ("RESTAURATION — Paolo", "CONFIRMED", date(2024, 9, 2)),
        ("CENTRE DE LOISIRS MERCREDI — Paolo (liste d'attente)", "TENTATIVE", date(2024, 9, 18)),
    ]
    assert events[0]["uid"] == "paolo-RESTAURATION-20240902@periscolaire"
    assert calendar["version"] == "2.0"


def test_the_export_of_a_register_is_stable(cestas: ps.Commune) -> None:
    register = ps.Register(cestas)
    family = ps.Family("F1", "DUPONT", (ps.Child("paolo", "Paolo", "DUPONT"),))
    session = register.open_session(
        family, now=datetime(2024, 8, 26), balance=ps.money.ZERO, dossier_complete=True
    )
    session.toggle_week("paolo", "RESTAURATION", date(2024, 9, 9))
    session.confirm(datetime(2024, 8, 26, 0, 1))
    first = reservations_ics(register.reservations("F1"), cestas, now=datetime(2024, 8, 26, 1))
    again = reservations_ics(register.reservations("F1"), cestas, now=datetime(2024, 8, 26, 1))
    assert first == again
    assert first.count(b"BEGIN:VEVENT") == 4
