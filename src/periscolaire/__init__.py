"""periscolaire: the rules of French municipal family portals, as a library.

Booking periods and deadlines, reservations with places and waiting lists,
prepaid family accounts and tariffs, and the yearly family dossier, encoded once
from the rules published by communes (the reference is the Cestas 2024/2025
« Guide utilisateurs portail famille »). Pure domain: no framework, no clock, no
network; time is always passed in.

The public names below are loaded on first use (PEP 562), so that
``import periscolaire`` stays cheap for hosts that import it at start-up.

>>> import periscolaire as ps
>>> from datetime import date, datetime
>>> commune = ps.load_commune()
>>> commune.calendar.is_bookable("MERCREDI", date(2024, 9, 11), datetime(2024, 9, 8, 23, 59))
True
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from periscolaire.errors import (
    AttachmentRejected,
    BookingAccessDenied,
    BookingError,
    ConfigurationError,
    DossierError,
    InvalidAmount,
    InvalidArgument,
    InvalidData,
    LedgerError,
    MissingExtra,
    NotBookable,
    PeriscolaireError,
    ProfileError,
    SchemaError,
    StaleWrite,
    StoreError,
    TariffError,
    UnknownActivity,
    UnknownChild,
    UnknownWallet,
)

if TYPE_CHECKING:
    from periscolaire.attachments import (
        Document,
        StoredFile,
        Upload,
        attachment_problems,
        check_attachments,
    )
    from periscolaire.booking import (
        BookingSession,
        DayCell,
        Movement,
        MovementKind,
        Outcome,
        Promotion,
        Recap,
        Rejection,
        Request,
        Reservation,
        ReservationStatus,
        WaitingRank,
    )
    from periscolaire.calendar import (
        FRI,
        MON,
        SAT,
        SUN,
        THU,
        TUE,
        WED,
        BeforeHolidayStart,
        BookingPeriod,
        BookingWindow,
        Closure,
        DayOfPreviousMonth,
        DaysBefore,
        DayState,
        DeadlineCase,
        DeadlineRule,
        Earliest,
        Exceptions,
        HolidayWindow,
        Latest,
        NoDeadline,
        SchoolCalendar,
        Season,
        WeekdayBefore,
        derive_periods,
        earliest,
        latest,
    )
    from periscolaire.commune import Activity, Commune, load_commune
    from periscolaire.dossier import (
        Contact,
        ContactLink,
        Dossier,
        Fiche,
        FicheEvent,
        FicheKind,
        FicheState,
        Signature,
        VaccinationStatus,
        vaccination_status,
    )
    from periscolaire.families import (
        AgentAccount,
        AgentDossier,
        AgentRecords,
        Families,
        FamilyAccount,
        FamilyDossier,
        FamilyRecords,
    )
    from periscolaire.family import AlternateWeeks, Child, CustodyDays, Family
    from periscolaire.nightly import NightlyMail, NightlyResult, run_nightly
    from periscolaire.profile import (
        FirstLogin,
        PasswordPolicy,
        Profile,
        parse_emails,
        request_password_reset,
    )
    from periscolaire.register import Register
    from periscolaire.report import render_nightly_report, render_promotion
    from periscolaire.store import Store, open_store
    from periscolaire.tariff import (
        BracketTariff,
        ChildrenRateTariff,
        EffortRateBracketTariff,
        EffortRateTariff,
        Pricing,
        QuotientFamilial,
        TimeUnit,
        TimeUnitTariff,
        Usage,
        compare_tariffs,
        family_parts,
        qf_points,
        quotient_familial,
        read_families_csv,
    )
    from periscolaire.wallet import (
        Account,
        AccountEstimate,
        Entry,
        EntryKind,
        Estimate,
        History,
        Receipt,
        estimate,
    )

__version__ = "0.1.0"

#: Public name -> module that defines it (imported on first access).
_LAZY: dict[str, str] = {
    **dict.fromkeys(
        (
            "Document",
            "StoredFile",
            "Upload",
            "attachment_problems",
            "check_attachments",
        ),
        "periscolaire.attachments",
    ),
    **dict.fromkeys(
        (
            "Contact",
            "ContactLink",
            "Dossier",
            "Fiche",
            "FicheEvent",
            "FicheKind",
            "FicheState",
            "Signature",
            "VaccinationStatus",
            "vaccination_status",
        ),
        "periscolaire.dossier",
    ),
    **dict.fromkeys(
        (
            "FirstLogin",
            "PasswordPolicy",
            "Profile",
            "parse_emails",
            "request_password_reset",
        ),
        "periscolaire.profile",
    ),
    **dict.fromkeys(
        (
            "FRI",
            "MON",
            "SAT",
            "SUN",
            "THU",
            "TUE",
            "WED",
            "BeforeHolidayStart",
            "BookingPeriod",
            "BookingWindow",
            "Closure",
            "DayOfPreviousMonth",
            "DayState",
            "DaysBefore",
            "DeadlineCase",
            "DeadlineRule",
            "Earliest",
            "Exceptions",
            "HolidayWindow",
            "Latest",
            "NoDeadline",
            "SchoolCalendar",
            "Season",
            "WeekdayBefore",
            "derive_periods",
            "earliest",
            "latest",
        ),
        "periscolaire.calendar",
    ),
    **dict.fromkeys(("Activity", "Commune", "load_commune"), "periscolaire.commune"),
    **dict.fromkeys(("AlternateWeeks", "Child", "CustodyDays", "Family"), "periscolaire.family"),
    **dict.fromkeys(
        (
            "AgentAccount",
            "AgentDossier",
            "AgentRecords",
            "Families",
            "FamilyAccount",
            "FamilyDossier",
            "FamilyRecords",
        ),
        "periscolaire.families",
    ),
    **dict.fromkeys(
        (
            "BookingSession",
            "DayCell",
            "Movement",
            "MovementKind",
            "Outcome",
            "Promotion",
            "Recap",
            "Rejection",
            "Request",
            "Reservation",
            "ReservationStatus",
            "WaitingRank",
        ),
        "periscolaire.booking",
    ),
    **dict.fromkeys(("NightlyMail", "NightlyResult", "run_nightly"), "periscolaire.nightly"),
    "Register": "periscolaire.register",
    "Store": "periscolaire.store",
    "open_store": "periscolaire.store",
    "render_nightly_report": "periscolaire.report",
    "render_promotion": "periscolaire.report",
    "qf_points": "periscolaire.tariff",
    "read_families_csv": "periscolaire.tariff",
    **dict.fromkeys(
        (
            "BracketTariff",
            "ChildrenRateTariff",
            "EffortRateBracketTariff",
            "EffortRateTariff",
            "Pricing",
            "QuotientFamilial",
            "TimeUnit",
            "TimeUnitTariff",
            "Usage",
            "compare_tariffs",
            "family_parts",
            "quotient_familial",
        ),
        "periscolaire.tariff",
    ),
    **dict.fromkeys(
        ("Account", "AccountEstimate", "Entry", "EntryKind", "Estimate", "History", "Receipt", "estimate"),
        "periscolaire.wallet",
    ),
}

__all__ = [
    "FRI",
    "MON",
    "SAT",
    "SUN",
    "THU",
    "TUE",
    "WED",
    "Account",
    "AccountEstimate",
    "Activity",
    "AgentAccount",
    "AgentDossier",
    "AgentRecords",
    "AlternateWeeks",
    "AttachmentRejected",
    "BeforeHolidayStart",
    "BookingAccessDenied",
    "BookingError",
    "BookingPeriod",
    "BookingSession",
    "BookingWindow",
    "BracketTariff",
    "Child",
    "ChildrenRateTariff",
    "Closure",
    "Commune",
    "ConfigurationError",
    "Contact",
    "ContactLink",
    "CustodyDays",
    "DayCell",
    "DayOfPreviousMonth",
    "DayState",
    "DaysBefore",
    "DeadlineCase",
    "DeadlineRule",
    "Document",
    "Dossier",
    "DossierError",
    "Earliest",
    "EffortRateBracketTariff",
    "EffortRateTariff",
    "Entry",
    "EntryKind",
    "Estimate",
    "Exceptions",
    "Families",
    "Family",
    "FamilyAccount",
    "FamilyDossier",
    "FamilyRecords",
    "Fiche",
    "FicheEvent",
    "FicheKind",
    "FicheState",
    "FirstLogin",
    "History",
    "HolidayWindow",
    "InvalidAmount",
    "InvalidArgument",
    "InvalidData",
    "Latest",
    "LedgerError",
    "MissingExtra",
    "Movement",
    "MovementKind",
    "NightlyMail",
    "NightlyResult",
    "NoDeadline",
    "NotBookable",
    "Outcome",
    "PasswordPolicy",
    "PeriscolaireError",
    "Pricing",
    "Profile",
    "ProfileError",
    "Promotion",
    "QuotientFamilial",
    "Recap",
    "Receipt",
    "Register",
    "Rejection",
    "Request",
    "Reservation",
    "ReservationStatus",
    "SchemaError",
    "SchoolCalendar",
    "Season",
    "Signature",
    "StaleWrite",
    "Store",
    "StoreError",
    "StoredFile",
    "TariffError",
    "TimeUnit",
    "TimeUnitTariff",
    "UnknownActivity",
    "UnknownChild",
    "UnknownWallet",
    "Upload",
    "Usage",
    "VaccinationStatus",
    "WaitingRank",
    "WeekdayBefore",
    "__version__",
    "attachment_problems",
    "check_attachments",
    "compare_tariffs",
    "derive_periods",
    "earliest",
    "estimate",
    "family_parts",
    "latest",
    "load_commune",
    "open_store",
    "parse_emails",
    "qf_points",
    "quotient_familial",
    "read_families_csv",
    "render_nightly_report",
    "render_promotion",
    "request_password_reset",
    "run_nightly",
    "vaccination_status",
]


#: Submodules reachable as attributes (``ps.calendar``) without an explicit import.
_SUBMODULES = frozenset(
    {
        "booking",
        "calendar",
        "cli",
        "commune",
        "errors",
        "families",
        "family",
        "ics",
        "money",
        "nightly",
        "register",
        "report",
        "store",
        "strategies",
        "tariff",
        "wallet",
    }
)


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return import_module(f"periscolaire.{name}")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'periscolaire' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # later look-ups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
