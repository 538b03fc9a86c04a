"""Hypothesis strategies for property tests of periscolaire and of its hosts.

Install with ``pip install periscolaire[hypothesis]``; importing
:mod:`periscolaire` itself never needs Hypothesis.

>>> from hypothesis import given
>>> from periscolaire.strategies import communes
>>> @given(communes())
... def test_every_activity_runs_some_day(commune):
...     for code in commune.activities:
...         assert commune.calendar.running_days(code)
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from periscolaire.errors import MissingExtra

try:
    from hypothesis import assume
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - exercised by tests/test_publish.py
    raise MissingExtra("Hypothesis n'est pas installé : pip install 'periscolaire[hypothesis]'.") from None

from periscolaire.attachments import MAX_SIZE, Upload
from periscolaire.calendar import (
    FRI,
    HOLIDAY_ANCHORS,
    MON,
    THU,
    TUE,
    WED,
    BeforeHolidayStart,
    BookingPeriod,
    Closure,
    DayOfPreviousMonth,
    DaysBefore,
    DeadlineCase,
    DeadlineRule,
    Earliest,
    Exceptions,
    Latest,
    NoDeadline,
    SchoolCalendar,
    Season,
    WeekdayBefore,
    derive_periods,
)
from periscolaire.commune import WAITING_CRITERIA, Activity, Commune
from periscolaire.dossier import Dossier, FicheKind, FicheState, Signature
from periscolaire.errors import ConfigurationError
from periscolaire.family import Child, Family
from periscolaire.tariff import BracketTariff, EffortRateTariff, Pricing, Tariff
from periscolaire.wallet import Account

__all__ = [
    "accounts",
    "activity_codes",
    "amounts",
    "booking_selections",
    "bracket_tariffs",
    "calendars",
    "communes",
    "deadline_rules",
    "dossiers",
    "effort_rate_tariffs",
    "families",
    "instants",
    "ledger_operations",
    "pricings",
    "quotients",
    "school_years",
    "tariffs",
    "uploads",
]

#: School years the ``holidays`` package knows well for every zone.
SCHOOL_YEARS = range(2022, 2026)


def school_years() -> st.SearchStrategy[int]:
    """A school year (2024 means 2024/2025)."""
    return st.sampled_from(SCHOOL_YEARS)


def activity_codes() -> st.SearchStrategy[str]:
    """An activity code: upper-case letters, digits and underscores."""
    return st.from_regex(r"\A[A-Z][A-Z0-9_]{0,11}\Z")


_cutoffs = st.none() | st.sampled_from([time(9), time(12), time(18, 30)])


def _short_rules() -> st.SearchStrategy[DeadlineRule]:
    """Rules whose deadline falls at most three weeks before the day: any
    combination of them leaves the days of a booking period bookable."""
    return st.one_of(
        st.builds(
            DaysBefore,
            st.integers(1, 10),
            at=_cutoffs,
            working_days=st.booleans(),
            skip_weekends=st.booleans(),
            skip_public_holidays=st.booleans(),
            skip_weekdays=st.sets(st.integers(0, 6), max_size=3),
        ),
        st.builds(WeekdayBefore, st.integers(0, 6), at=_cutoffs, weeks=st.none() | st.integers(1, 2)),
        st.just(NoDeadline()),
    )


def _combined_rules() -> st.SearchStrategy[DeadlineRule]:
    """:class:`Earliest`, :class:`Latest` and :class:`Exceptions` of short rules."""
    several = st.lists(_short_rules(), min_size=2, max_size=3)
    combined: st.SearchStrategy[DeadlineRule] = st.one_of(several.map(Earliest), several.map(Latest))
    cases = st.one_of(
        st.builds(DeadlineCase, _short_rules(), periods=st.sets(st.integers(1, 6), min_size=1, max_size=2)),
        st.builds(
            DeadlineCase,
            _short_rules(),
            days=st.sets(st.dates(date(2022, 9, 1), date(2027, 7, 31)), min_size=1, max_size=3),
        ),
        st.dates(date(2022, 9, 1), date(2027, 7, 31)).flatmap(
            lambda start: st.builds(
                DeadlineCase,
                _short_rules(),
                start=st.just(start),
                end=st.dates(start, start + timedelta(days=60)),
            )
        ),
    )
    exceptions = st.builds(
        Exceptions, st.one_of(_short_rules(), combined), st.lists(cases, min_size=1, max_size=2)
    )
    return st.one_of(combined, exceptions)


def deadline_rules(season: Season = Season.SCHOOL) -> st.SearchStrategy[DeadlineRule]:
    """A deadline rule that some day of a normal school year can meet: the
    simple rules, no deadline, and combinations of short rules (earliest,
    latest, exceptions)."""
    rules: list[st.SearchStrategy[DeadlineRule]] = [
        st.builds(
            DaysBefore,
            st.integers(1, 10),
            at=_cutoffs,
            working_days=st.booleans(),
        ),
        st.builds(WeekdayBefore, st.integers(0, 6), at=_cutoffs),
        st.builds(DayOfPreviousMonth, st.integers(1, 31), at=_cutoffs),
        _short_rules(),
        _combined_rules(),
    ]
    if season == Season.HOLIDAYS:
        rules.append(
            st.builds(
                BeforeHolidayStart,
                st.integers(1, 21),
                at=_cutoffs,
                anchor=st.sampled_from(HOLIDAY_ANCHORS),
            )
        )
    return st.one_of(rules)


@st.composite
def _activity(draw: st.DrawFn, code: str, season: Season) -> Activity:
    weekdays = (
        draw(st.sampled_from([(MON, TUE, THU, FRI), (WED,), (MON, TUE, WED, THU, FRI)]))
        if season == Season.SCHOOL
        else draw(st.sampled_from([(MON, TUE, WED, THU, FRI), (MON, WED, FRI)]))
    )
    capacity = draw(st.none() | st.integers(0, 40))
    tariff = draw(st.none() | pricings())
    waiting_list = capacity is not None and draw(st.booleans())
    criteria = st.lists(st.sampled_from(sorted(WAITING_CRITERIA)), unique=True, max_size=3)
    return Activity(
        code=code,
        label=draw(st.text(min_size=1, max_size=20)),
        season=season,
        weekdays=weekdays,
        deadline=draw(deadline_rules(season)),
        cancel_deadline=draw(st.none() | deadline_rules(season)),
        capacity=capacity,
        waiting_list=waiting_list,
        wallet=draw(st.sampled_from(["PERISCOLAIRE", "RESTAURATION", "EXTRASCOLAIRE"])),
        tariff=tariff,
        waiting_list_priorities=draw(criteria) if waiting_list else (),
    )


@st.composite
def communes(draw: st.DrawFn, max_activities: int = 4) -> Commune:
    """A valid commune configuration, its periods derived from a real school
    calendar (zone A, B or C, a school year from 2022/2023 to 2025/2026),
    with school-time and holiday-time activities, closures and any mix of
    deadline rules. Its calendar is built (and so checked).
    """
    zone = draw(st.sampled_from("ABC"))
    year = draw(school_years())
    derived = derive_periods(zone, year)
    # Periods as derived, or run on to the end of the holidays that follow them.
    periods = []
    for i, p in enumerate(derived):
        opens = p.opens + timedelta(days=draw(st.integers(0, 10)))
        opens = min(opens, p.start)
        end = p.end
        if i + 1 < len(derived) and draw(st.booleans()):
            end = derived[i + 1].start - timedelta(days=3)
        periods.append(BookingPeriod(i + 1, opens=opens, start=p.start, end=end))
    n = draw(st.integers(1, max_activities))
    codes = draw(st.lists(activity_codes(), min_size=n, max_size=n, unique=True))
    activities = {}
    for i, code in enumerate(codes):
        season = Season.HOLIDAYS if i == 1 else draw(st.sampled_from(Season))
        activities[code] = draw(_activity(code, season))
    closures = []
    for _ in range(draw(st.integers(0, 2))):
        start = periods[0].start + timedelta(days=draw(st.integers(0, 250)))
        closures.append(
            Closure(
                start=start,
                end=start + timedelta(days=draw(st.integers(0, 2))),
                activities=tuple(draw(st.lists(st.sampled_from(codes), max_size=2, unique=True))),
                reason=draw(st.text(max_size=20)),
            )
        )
    commune = Commune(
        name=draw(st.text(min_size=1, max_size=20).filter(str.strip)),
        activities=activities,
        periods=tuple(periods),
        holiday_zone=zone,
        school_year=year,
        closures=tuple(closures),
    )
    try:
        commune.calendar  # noqa: B018 - building it checks every deadline rule
    except ConfigurationError:  # pragma: no cover - rare: a rule no day can meet
        assume(False)
    return commune


def instants(start: date, end: date) -> st.SearchStrategy[datetime]:
    """A naive commune-local instant between two days (inclusive)."""
    return st.datetimes(
        min_value=datetime.combine(start, time(0)),
        max_value=datetime.combine(end, time(23, 59, 59)),
    )


# --------------------------------------------------------------------------
# Money, tariffs, ledgers
# --------------------------------------------------------------------------


def amounts(min_value: Decimal | int = 0, max_value: Decimal | int = 1000) -> st.SearchStrategy[Decimal]:
    """Euros, to the cent, between two bounds."""
    low, high = int(Decimal(min_value) * 100), int(Decimal(max_value) * 100)
    return st.integers(low, high).map(lambda cents: Decimal(cents).scaleb(-2))


def quotients() -> st.SearchStrategy[Decimal | None]:
    """A QF in euros (or None: no QF, the highest price)."""
    return st.none() | amounts(0, 4000)


@st.composite
def bracket_tariffs(draw: st.DrawFn) -> BracketTariff:
    """A grid of 1 to 6 brackets starting at QF 0."""
    bounds = draw(st.lists(st.integers(1, 3000), max_size=5, unique=True).map(sorted))
    prices = draw(st.lists(amounts(0, 30), min_size=len(bounds) + 1, max_size=len(bounds) + 1))
    tariff = BracketTariff(tuple(zip([Decimal(0), *map(Decimal, bounds)], prices, strict=True)))
    if draw(st.booleans()):
        tariff = BracketTariff(tariff.brackets, cost_price=tariff.highest + draw(amounts(0, 10)))
    return tariff


@st.composite
def effort_rate_tariffs(draw: st.DrawFn) -> EffortRateTariff:
    """QF x rate between a floor and a ceiling."""
    floor = draw(amounts(0, 10))
    ceiling = floor + draw(amounts(0, 20))
    rate = Decimal(draw(st.integers(0, 200))).scaleb(-4)  # 0 % to 2 % of the QF
    return EffortRateTariff(rate=rate, floor=floor, ceiling=ceiling)


def tariffs() -> st.SearchStrategy[Tariff]:
    return st.one_of(bracket_tariffs(), effort_rate_tariffs())


@st.composite
def pricings(draw: st.DrawFn) -> Pricing:
    """A tariff with any of the modifiers communes use."""
    tariff = draw(tariffs())
    cap = tariff.cost_price
    non_resident = draw(st.none() | amounts(0, cap if cap is not None else 40))
    return Pricing(
        tariff,
        non_resident=non_resident,
        sibling_reduction=Decimal(draw(st.integers(0, 100))).scaleb(-2),
        sibling_rank=draw(st.integers(2, 4)),
        late_surcharge=draw(amounts(0, 5)),
        unbooked_presence=draw(st.none() | amounts(0, 40)),
    )


WALLETS = ("PERISCOLAIRE", "RESTAURATION", "EXTRASCOLAIRE")


def ledger_operations(wallets: tuple[str, ...] = WALLETS) -> st.SearchStrategy[list[tuple[Any, ...]]]:
    """Operations on an account, valid or not: ("pay" | "credit" | "debit",
    wallet, amount, day) and ("correct", entry number, day). Unknown
    porte-monnaies, zero and negative amounts and bad entry numbers occur."""
    day = st.dates(date(2024, 8, 1), date(2025, 7, 31))
    wallet = st.sampled_from([*wallets, "INCONNU"])
    amount = st.one_of(amounts(-10, 200), st.just(Decimal(0)))
    move = st.tuples(st.sampled_from(["pay", "credit", "debit"]), wallet, amount, day)
    correct = st.tuples(st.just("correct"), st.integers(0, 30), day)
    return st.lists(st.one_of(move, move, correct), max_size=30)


def apply_operation(account: Account, op: tuple[Any, ...]) -> bool:
    """Apply one operation of :func:`ledger_operations`; False if refused."""
    from periscolaire.errors import PeriscolaireError

    try:
        if op[0] == "correct":
            account.correct(op[1], op[2])
        elif op[0] == "pay":
            account.pay(op[1], op[2], op[3], reference="REF")
        else:
            getattr(account, op[0])(op[1], op[2], op[3], op[0])
    except PeriscolaireError:
        return False
    return True


@st.composite
def accounts(draw: st.DrawFn, wallets: tuple[str, ...] = WALLETS) -> Account:
    """An account after a random history of payments, debits and corrections."""
    account = Account(wallets=wallets)
    for op in draw(ledger_operations(wallets)):
        apply_operation(account, op)
    return account


# --------------------------------------------------------------------------
# Calendars, families, selections
# --------------------------------------------------------------------------


def calendars() -> st.SearchStrategy[SchoolCalendar]:
    """The calendar of a generated commune (see :func:`communes`)."""
    return communes().map(lambda commune: commune.calendar)


_names = st.sampled_from(["DUPONT", "MARTIN", "BERNARD", "DURAND", "LEFEBVRE", "GARCIA", "NGUYEN", "DIALLO"])
_first_names = st.sampled_from(["Paolo", "Amalia", "Léa", "Noé", "Jade", "Louis", "Inès", "Hugo", "Chloé"])


@st.composite
def families(draw: st.DrawFn, max_children: int = 3, activities: tuple[str, ...] = ()) -> Family:
    """A family account with 1 to ``max_children`` children; when
    ``activities`` is given, some children are enrolled in a subset of them.
    Most live in the commune; some have a priority set by an agent."""
    name = draw(_names)
    count = draw(st.integers(1, max_children))
    children = []
    for i in range(count):
        enrolled = None
        restricted = draw(st.booleans()) if activities else False
        if restricted:
            enrolled = frozenset(draw(st.lists(st.sampled_from(activities), min_size=1, unique=True)))
        children.append(Child(f"c{i}", draw(_first_names), name, activities=enrolled))
    return Family(
        f"F-{name}-{draw(st.integers(1, 9999))}",
        name,
        tuple(children),
        resident=draw(st.booleans()),
        priority=draw(st.sampled_from([0, 0, 0, 1, 2])),
    )


@st.composite
def booking_selections(
    draw: st.DrawFn, commune: Commune, family: Family, *, max_size: int = 12
) -> list[tuple[str, str, str, date]]:
    """What a family clicks: (``"day"`` | ``"week"`` | ``"weekday"`` |
    ``"month"``, child id, activity code, day), days within the commune's
    school year. Apply them with ``getattr(session, f"toggle_{kind}")`` and
    catch :class:`~periscolaire.NotBookable` for single days."""
    cal = commune.calendar
    kinds = st.sampled_from(["day", "day", "week", "weekday", "month"])
    child = st.sampled_from([c.id for c in family.children])
    code = st.sampled_from(list(commune.activities))
    day = st.dates(cal.first_day, cal.last_day)
    return draw(st.lists(st.tuples(kinds, child, code, day), max_size=max_size))


# --------------------------------------------------------------------------
# Uploads and dossiers
# --------------------------------------------------------------------------

_IHDR = b"\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
_IEND = b"\x00\x00\x00\x00IEND\xaeB`\x82"
_GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00"


def _gif_comment(size: int) -> bytes:
    """A GIF comment extension of exactly ``size`` bytes (3 or more)."""
    blocks, left = [], size - 3
    while left:
        n = min(left - 1, 255) if left != 257 else 254  # never leave a single byte
        blocks.append(bytes([n]) + bytes(n))
        left -= n + 1
    return b"!\xfe" + b"".join(blocks) + b"\x00"


#: For each type: a well-formed file of ``size`` bytes (the structure the
#: attachment checks read, padded with zeros), its smallest size, its extensions.
_FILES: dict[str, tuple[Any, int, tuple[str, ...]]] = {
    # NUL is PDF whitespace: zeros after %%EOF are allowed.
    "pdf": (lambda size: b"%PDF-1.7\n%%EOF\n".ljust(size, b"\x00"), 15, ("pdf",)),
    # SOI, APP0, EOI, then zero padding (allowed after a JPEG's EOI).
    "jpeg": (
        lambda size: b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9".ljust(
            size, b"\x00"
        ),
        22,
        ("jpg", "jpeg"),
    ),
    # IHDR, the padding in an ancillary chunk, IEND.
    "png": (
        lambda size: (
            b"\x89PNG\r\n\x1a\n"
            + _IHDR
            + (size - 57).to_bytes(4, "big")
            + b"ruSt"
            + bytes(size - 57 + 4)
            + _IEND
        ),
        57,
        ("png",),
    ),
    "heic": (lambda size: b"\x00\x00\x00\x18ftypheic".ljust(size, b"\x00"), 12, ("heic",)),
    # The RIFF size is the file's, less 8.
    "webp": (
        lambda size: b"RIFF" + (size - 8).to_bytes(4, "little") + b"WEBPVP8 ".ljust(size - 8, b"\x00"),
        16,
        ("webp",),
    ),
    # A 1 x 1 image, the padding in a comment extension, the trailer.
    "gif": (lambda size: _GIF[:13] + _gif_comment(size - len(_GIF) - 1) + _GIF[13:] + b";", 39, ("gif",)),
    "tiff": (
        lambda size: (b"II*\x00\x08\x00\x00\x00\x01\x00" + bytes(16)).ljust(size, b"\x00"),
        26,
        ("tif", "tiff"),
    ),
    # The size in its header; pixels at 54, after the BITMAPINFOHEADER.
    "bmp": (
        lambda size: (b"BM" + size.to_bytes(4, "little") + bytes(4) + b"6\x00\x00\x00(").ljust(size, b"\x00"),
        54,
        ("bmp",),
    ),
}
#: Windows reserved names, which the attachment rules refuse.
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"{d}{n}" for d in ("COM", "LPT") for n in range(10))}


@st.composite
def _valid_upload(draw: st.DrawFn) -> Upload:
    build, smallest, extensions = _FILES[draw(st.sampled_from(sorted(_FILES)))]
    stem = draw(
        st.from_regex(r"\A[a-zA-Z0-9][a-zA-Z0-9_-]{0,20}\Z").filter(lambda s: s.upper() not in _RESERVED)
    )
    extension = draw(st.sampled_from(extensions))
    size = draw(st.integers(smallest, 4096) | st.just(MAX_SIZE))
    return Upload(f"{stem}.{extension}", build(size))


@st.composite
def _invalid_upload(draw: st.DrawFn) -> Upload:
    flaw = draw(st.sampled_from(["empty", "too_large", "type", "extension", "name"]))
    good = draw(_valid_upload())
    if flaw == "empty":
        return Upload(good.name, b"")
    if flaw == "too_large":
        return Upload(good.name, good.content[:16] + b"\x00" * (MAX_SIZE + 1 - len(good.content[:16])))
    if flaw == "type":
        return Upload(good.name, b"MZ\x90\x00" + good.content[16:])
    if flaw == "extension":
        stem = good.name.rsplit(".", 1)[0]
        other = "png" if not good.name.endswith(".png") else "pdf"
        return Upload(f"{stem}.{other}", good.content)
    return Upload(
        draw(st.sampled_from(["../" + good.name, "a/" + good.name, good.name + "\x00", ""])), good.content
    )


def uploads(valid: bool | None = None) -> st.SearchStrategy[Upload]:
    """An upload that the attachment rules accept (``valid=True``), refuse
    (``False``: empty, too large, a renamed executable, a wrong extension, a
    bad name), or either (``None``)."""
    if valid is True:
        return _valid_upload()
    if valid is False:
        return _invalid_upload()
    return st.one_of(_valid_upload(), _invalid_upload())


_NOW = datetime(2024, 6, 20, 20, 0)


def _complete(dossier: Dossier, kind: FicheKind, child: str | None) -> None:
    """Fill a fiche so that it can be transmitted."""
    pdf = [Upload("piece.pdf", b"%PDF-1.7\n%%EOF\n")]
    if kind == FicheKind.RESPONSABLE:
        dossier.edit(
            kind,
            last_name="DUPONT",
            first_name="Jean-Paul",
            address="1 avenue",
            postcode="33610",
            city="Cestas",
            phone="0556000000",
            emails="jp@example.fr",
        )
        dossier.attach(kind, None, "proof_of_address", pdf)
    elif kind == FicheKind.AUTRE_RESPONSABLE:
        dossier.edit(kind, last_name="DUPONT", first_name="Marie", phone="0600000000")
    elif kind == FicheKind.ASSURANCE:
        dossier.edit(kind, child, company="MAIF", contract_number="1", expiry=date(2025, 8, 31))
        dossier.attach(kind, child, "insurance_certificate", pdf)
    elif kind == FicheKind.SANTE:
        dossier.edit(kind, child, vaccinations_up_to_date=True, doctor_name="Dr LAFON")
    elif kind == FicheKind.REGLEMENT:
        dossier.edit(kind, child, acknowledged=True)


def _signature(kind: FicheKind) -> Signature | None:
    if kind in (FicheKind.RESPONSABLE, FicheKind.AUTRE_RESPONSABLE, FicheKind.REGLEMENT):
        return Signature("Jean-Paul DUPONT", "Cestas", _NOW)
    return None


@st.composite
def dossiers(draw: st.DrawFn, family: Family | None = None) -> Dossier:
    """A dossier whose fiches are each in any state: to fill, draft,
    transmitted, rejected, validated, reopened after validation, or to update
    (the dossier then follows a validated one of the year before)."""
    family = family or draw(families())
    other = draw(st.booleans())
    if draw(st.booleans()):
        last_year = Dossier.open(family, 2023, other_responsable=other)
        for fiche in last_year.fiches():
            _complete(last_year, fiche.kind, fiche.child)
            last_year.transmit(fiche.kind, fiche.child, now=_NOW, signature=_signature(fiche.kind))
            last_year.validate(fiche.kind, fiche.child, now=_NOW, agent="agent")
        dossier = last_year.new_year()
    else:
        dossier = Dossier.open(family, 2024, other_responsable=other)
    for fiche in dossier.fiches():
        target = draw(st.sampled_from([*FicheState, "reopened"]))
        kind, child = fiche.kind, fiche.child
        if target in (FicheState.TO_FILL, FicheState.TO_UPDATE):
            continue  # left as it is: to fill, or to update after last year
        _complete(dossier, kind, child)
        if target == FicheState.DRAFT:
            dossier.edit(kind, child)
            continue
        dossier.transmit(kind, child, now=_NOW, signature=_signature(kind))
        if target == FicheState.REJECTED:
            dossier.reject(kind, child, reason="Pièce illisible.", now=_NOW, agent="agent")
        elif target in (FicheState.VALIDATED, "reopened"):
            dossier.validate(kind, child, now=_NOW, agent="agent")
            if target == "reopened":
                dossier.edit(kind, child)
    return dossier
