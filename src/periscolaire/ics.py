"""A family's reservations as an iCalendar file (RFC 5545).

Optional: ``pip install 'periscolaire[ics]'`` (the ``icalendar`` package); the
core keeps its three runtime dependencies. Each reservation is an all-day
event phones and calendar apps import; a waiting-list reservation is
``TENTATIVE``. Event UIDs are stable, so importing a newer file updates the
events instead of duplicating them.

>>> from datetime import date, datetime
>>> import periscolaire as ps
>>> rows = [ps.Reservation("paolo", "MERCREDI", date(2024, 9, 11), "F1", "accepted", 1)]
>>> text = reservations_ics(rows, ps.load_commune(), names={"paolo": "Paolo"}, now=datetime(2024, 8, 19, 8))
>>> [line for line in text.decode().splitlines() if line.startswith(("SUMMARY", "DTSTART", "UID", "STATUS"))]
['SUMMARY:CENTRE DE LOISIRS MERCREDI — Paolo', 'DTSTART;VALUE=DATE:20240911',
 'UID:paolo-MERCREDI-20240911@periscolaire', 'STATUS:CONFIRMED']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from periscolaire.booking import ReservationLike
from periscolaire.commune import Commune
from periscolaire.errors import MissingExtra

__all__ = ["reservations_ics"]


def reservations_ics(
    reservations: Iterable[ReservationLike],
    commune: Commune,
    *,
    now: datetime,
    names: Mapping[str, str] | None = None,
) -> bytes:
    """The reservations as an iCalendar file (bytes, UTF-8, CRLF lines).

    ``now`` stamps the events (DTSTAMP: nothing reads the clock); ``names``
    maps child ids to the names shown in the titles.
    """
    try:
        import icalendar
    except ImportError:
        raise MissingExtra("icalendar n'est pas installé : pip install 'periscolaire[ics]'.") from None
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//periscolaire//{commune.name}//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Réservations — {commune.name}")
    stamp = (
        commune.calendar.local(now).replace(tzinfo=commune.calendar.timezone) if now.tzinfo is None else now
    )
    for r in sorted(reservations, key=lambda r: (r.day, r.activity, r.child)):
        event = icalendar.Event()
        event.add("dtstart", r.day)
        event.add("dtend", r.day + timedelta(days=1))
        event.add("dtstamp", stamp)
        event.add("uid", f"{r.child}-{r.activity}-{r.day:%Y%m%d}@periscolaire")
        event.add("categories", [r.activity])
        event.add("status", "CONFIRMED" if r.status == "accepted" else "TENTATIVE")
        label = commune.activity(r.activity).label
        suffix = "" if r.status == "accepted" else " (liste d'attente)"
        event.add("summary", f"{label} — {(names or {}).get(r.child, r.child)}{suffix}")
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data
