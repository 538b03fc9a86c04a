"""The French wording every message shares: weekday and month names, dates, lists, euros.

>>> from datetime import date, time
>>> short_day(date(2024, 9, 2)), long_day(date(2024, 9, 2)), day_month(date(2024, 9, 2))
('lun. 02/09/2024', 'lundi 2 septembre 2024', 'lun. 02/09')
>>> word_list(["lundi", "mardi", "jeudi"]), word_list(["le 01/11/2024"], "ou")
('lundi, mardi et jeudi', 'le 01/11/2024')
>>> hour_text(None), hour_text(time(18))
('à minuit', 'avant 18:00')
>>> from decimal import Decimal
>>> euros(Decimal("1234.5")), signed_euros(Decimal("-2")), percent(Decimal("0.0035"))
('1 234,50 €', '-2,00 €', '0,35 %')
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time
from decimal import Decimal

__all__ = [
    "MONTH_FR",
    "WEEKDAY_ABBR_FR",
    "WEEKDAY_FR",
    "WEEKS_FR",
    "day_month",
    "euros",
    "hour_text",
    "long_day",
    "number",
    "percent",
    "short_day",
    "signed_euros",
    "word_list",
]

WEEKDAY_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
WEEKDAY_ABBR_FR = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")
#: Month names, January at index 1.
MONTH_FR = (
    "",
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
#: Numbers of weeks in words (« deux semaines avant »), 1 to 10.
WEEKS_FR = ("", "une", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix")


def short_day(day: date) -> str:
    """« lun. 02/09/2024 » (a datetime gives its date's)."""
    return f"{WEEKDAY_ABBR_FR[day.weekday()]} {day:%d/%m/%Y}"


def day_month(day: date) -> str:
    """« lun. 02/09 », in a list of days of one year."""
    return f"{WEEKDAY_ABBR_FR[day.weekday()]} {day:%d/%m}"


def long_day(day: date) -> str:
    """« lundi 2 septembre 2024 »."""
    return f"{WEEKDAY_FR[day.weekday()]} {day.day} {MONTH_FR[day.month]} {day.year}"


def word_list(items: Sequence[str], last: str = "et") -> str:
    """« a, b et c » (or « a, b ou c »)."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {last} {items[-1]}"


def hour_text(at: time | None) -> str:
    """The hour of a deadline: « avant 18:00 », or « à minuit » without one."""
    return "à minuit" if at is None else f"avant {at:%H:%M}"


def number(value: Decimal, places: int | None = 2) -> str:
    """``value`` in French: decimal comma, thousands separated by a space."""
    text = f"{value:,.{places}f}" if places is not None else f"{value.normalize():,f}"
    return text.replace(",", " ").replace(".", ",")


def euros(value: Decimal) -> str:
    """« 1 234,50 € »."""
    return f"{number(value)} €"


def signed_euros(value: Decimal) -> str:
    """« +1,00 € », « -2,00 € » (zero is « +0,00 € »)."""
    return f"{'+' if value >= 0 else '-'}{euros(abs(value))}"


def percent(rate: Decimal) -> str:
    """A rate as « 0,35 % »."""
    return f"{number(rate * 100, None)} %"
