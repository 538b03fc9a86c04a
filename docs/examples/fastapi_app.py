"""A FastAPI host for periscolaire: several worker processes over one store.

The schema is created once, at deploy, then the workers start; each opens the
store and its ``Register`` once, in its own process (the lifespan below runs
after uvicorn has started the worker)::

    periscolaire db upgrade sqlite:///portail.db
    PERISCOLAIRE_STORE_URL=sqlite:///portail.db \\
        uvicorn docs.examples.fastapi_app:app --workers 2

The booking screen is stateless on the server: every answer carries the
family's pending changes (``BookingSession.to_dict()``), and the client sends
them back with its next request, to whichever worker gets it. Nothing reaches
the store before ``/confirm``; what the client sends back is checked again
there, so a tampered ``pending`` can only ask for what the family could ask
for anyway.

Only this module reads the clock. Every request may carry ``now`` (ISO 8601)
to replace it: for demos and tests on the 2024/2025 calendar; a production
portal drops that field. Every answer says which worker served it
(``X-Worker-Pid``).

Environment: ``PERISCOLAIRE_STORE_URL`` (default ``sqlite:///portail.db``),
``PERISCOLAIRE_COMMUNE_FILE`` (a commune's TOML file; default the bundled
Cestas 2024/2025), ``PERISCOLAIRE_COMMUNE_KEY`` (the commune's key in the
store; default the file's ``[commune] key``, else its name).
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal, NamedTuple

import attrs
from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

import periscolaire as ps

STORE_URL = "PERISCOLAIRE_STORE_URL"
DEFAULT_STORE_URL = "sqlite:///portail.db"
COMMUNE_FILE = "PERISCOLAIRE_COMMUNE_FILE"
COMMUNE_KEY = "PERISCOLAIRE_COMMUNE_KEY"

log = logging.getLogger("portail")


def load_commune() -> ps.Commune:
    """The commune this portal serves (configuration from the environment)."""
    commune = ps.load_commune(os.environ.get(COMMUNE_FILE) or None)
    key = os.environ.get(COMMUNE_KEY)
    return attrs.evolve(commune, key=key) if key else commune


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """One store and one register per worker process, for its whole life.

    A missing or outdated schema stops the worker here with a
    ``ps.SchemaError`` naming the command to run (``periscolaire db upgrade
    URL``): workers never migrate, the deploy does, once."""
    store = ps.open_store(os.environ.get(STORE_URL, DEFAULT_STORE_URL))
    app.state.register = ps.Register(load_commune(), store=store)
    log.info("worker %d: %r", os.getpid(), app.state.register)
    try:
        yield
    finally:
        store.close()


app = FastAPI(title="Portail famille (periscolaire)", lifespan=lifespan)


def get_register(request: Request) -> ps.Register:
    register: ps.Register = request.app.state.register
    return register


RegisterDep = Annotated[ps.Register, Depends(get_register)]


@app.middleware("http")
async def worker_pid(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Say which worker process served the request."""
    response = await call_next(request)
    response.headers["X-Worker-Pid"] = str(os.getpid())
    return response


def http_status(error: ps.PeriscolaireError) -> int:
    """400: the request is wrong; 409: the rules refuse it now (a deadline,
    an account in debt...); 503: the store failed (not the family's doing)."""
    if isinstance(error, ps.StoreError):
        return 503
    if isinstance(error, ps.BookingError):
        return 409
    return 400


@app.exception_handler(ps.PeriscolaireError)
async def refused(request: Request, error: ps.PeriscolaireError) -> JSONResponse:
    """Every refusal: its stable code (for logs and the client's code) and its
    French message (for the family)."""
    return JSONResponse({"code": error.code, "message": error.message}, status_code=http_status(error))


# -- the host's own data: accounts, wallets, dossiers ---------------------------------------

#: Stands for the portal's account tables (the logged-in family).
FAMILIES: Mapping[str, ps.Family] = {
    family.id: family
    for family in (
        ps.Family(
            "F-DUPONT",
            "DUPONT",
            (ps.Child("paolo", "Paolo", "DUPONT"), ps.Child("amalia", "Amalia", "DUPONT")),
        ),
        ps.Family("F-MARTIN", "MARTIN", (ps.Child("lina", "Lina", "MARTIN"),)),
    )
}
#: Stands for the wallet (``Account.balance()``): F-MARTIN is in debt.
BALANCES: Mapping[str, Decimal] = {"F-DUPONT": Decimal("20.00"), "F-MARTIN": Decimal("-12.50")}


def account_state(family: ps.Family) -> tuple[Decimal, bool]:
    """The balance and whether the dossier grants access
    (``Dossier.grants_booking_access``), from the host's wallet and dossier."""
    return BALANCES.get(family.id, Decimal("0.00")), True


def instant(register: ps.Register, now: datetime | None) -> datetime:
    """The request's instant: the clock, unless the request gives one."""
    return now if now is not None else datetime.now(register.calendar.timezone)


# -- the booking screen ---------------------------------------------------------------------


class Screen(BaseModel):
    """What every request of the booking screen carries."""

    #: ``Family.to_dict()``: stands for the logged-in account (a real portal
    #: reads it from its session, never from the request); default FAMILIES.
    family: dict[str, Any] | None = None
    #: ``BookingSession.to_dict()`` from the previous answer (none: a new screen).
    pending: dict[str, Any] | None = None
    now: datetime | None = None


class Selection(Screen):
    """A click: a day, the week of a day, a weekday of a month, a month."""

    toggle: Literal["day", "week", "weekday", "month"]
    child: str
    activity: str
    day: date


def family_of(family_id: str, screen: Screen) -> ps.Family:
    if screen.family is not None:
        family = ps.Family.from_dict(screen.family)
        if family.id != family_id:
            raise ps.InvalidData("family.id", f"{family.id!r} n'est pas le compte {family_id!r}")
        return family
    try:
        return FAMILIES[family_id]
    except KeyError:
        raise HTTPException(404, f"compte famille inconnu : {family_id!r}") from None


def open_screen(register: ps.Register, family_id: str, screen: Screen) -> ps.BookingSession:
    """The family's session, with the pending changes the client sent back."""
    family = family_of(family_id, screen)
    balance, dossier_complete = account_state(family)
    return register.open_session(
        family,
        now=instant(register, screen.now),
        balance=balance,
        dossier_complete=dossier_complete,
        pending=screen.pending,
    )


def recap_of(session: ps.BookingSession) -> dict[str, list[dict[str, str]]]:
    recap = session.recap()
    return {
        "bookings": [r.to_dict() for r in recap.bookings],
        "cancellations": [r.to_dict() for r in recap.cancellations],
    }


@app.post("/families/{family_id}/open")
def open_booking(family_id: str, screen: Screen, register: RegisterDep) -> dict[str, Any]:
    """Open the booking screen (refused, 409, to an account in debt): the
    family's reservations, and an empty selection to send back."""
    session = open_screen(register, family_id, screen)
    return {
        "pending": session.to_dict(),
        "reservations": [r.to_dict() for r in register.reservations(family_id)],
    }


@app.post("/families/{family_id}/select")
def select(family_id: str, selection: Selection, register: RegisterDep) -> dict[str, Any]:
    """Toggle a day, a week, a weekday of the month or a month; answer the
    days that changed and the pending changes to send back."""
    session = open_screen(register, family_id, selection)
    child, code, day = selection.child, selection.activity, selection.day
    if selection.toggle == "day":
        session.toggle_day(child, code, day)
        changed: tuple[date, ...] = (day,)
    elif selection.toggle == "week":
        changed = session.toggle_week(child, code, day)
    elif selection.toggle == "weekday":
        changed = session.toggle_weekday(child, code, day)
    else:
        changed = session.toggle_month(child, code, day)
    return {"changed": [d.isoformat() for d in changed], "pending": session.to_dict()}


@app.post("/families/{family_id}/recap")
def recap(family_id: str, screen: Screen, register: RegisterDep) -> dict[str, Any]:
    """The recap shown before the second validation."""
    session = open_screen(register, family_id, screen)
    return {**recap_of(session), "pending": session.to_dict()}


@app.post("/families/{family_id}/confirm")
def confirm(family_id: str, screen: Screen, register: RegisterDep) -> dict[str, list[dict[str, str]]]:
    """The second validation: every pending change checked again and applied
    in one unit of work of the store (the client then drops its pending)."""
    session = open_screen(register, family_id, screen)
    return session.confirm(instant(register, screen.now)).to_dict()


# -- places -----------------------------------------------------------------------------------


@app.get("/places/{activity}/{day}")
def places(activity: str, day: date, register: RegisterDep) -> dict[str, Any]:
    """Places of a day, as families see them (« places restantes »)."""
    return {
        "activity": activity,
        "day": day.isoformat(),
        "capacity": register.capacity(activity, day),
        "places_left": register.places_left(activity, day),
        "taken": register.taken(activity, day),
        "waiting": len(register.waiting_list(activity, day)),
    }


class Capacity(BaseModel):
    places: int | None
    now: datetime | None = None


@app.put("/places/{activity}/{day}")
def set_places(activity: str, day: date, capacity: Capacity, register: RegisterDep) -> dict[str, Any]:
    """An agent changes the places of a day (put it behind your staff
    authentication). Places added go to the head of the waiting list at
    once; their e-mails wait in the outbox for the nightly run."""
    made = register.set_capacity(activity, day, capacity.places, now=instant(register, capacity.now))
    return {"promotions": [p.to_dict() for p in made]}


# -- the nightly run ----------------------------------------------------------------------------


class Mail(NamedTuple):
    to: str
    subject: str
    body: str
    message_id: str


def send(mail: Mail) -> None:
    """Stands for the portal's mailer (SMTP, an e-mail API): ``message_id``
    is the idempotency key."""
    log.info("mail %s to %s: %s", mail.message_id, mail.to, mail.subject)


def names_of(family: ps.Family | None) -> dict[str, str]:
    """Child id -> « NOM Prénom », for the e-mails (ids when the account is unknown)."""
    return {c.id: c.display_name for c in family.children} if family else {}


def nightly(register: ps.Register, now: datetime, mailer: Callable[[Mail], None] = send) -> list[Mail]:
    """The nightly batch (cron, or the endpoint below); returns what it sent.

    1. ``transmit(now)``: each family's movements since the last run. ``now``
       is the night's own instant (see :func:`night_of`): a batch run again
       for the same night gets the same movements, and sends the same
       e-mails under the same Message-IDs (the mailer drops duplicates).
    2. The outbox of waiting-list promotions: each e-mail sent, then marked
       sent. A batch that crashes resumes where it stopped; only the promotion
       in flight may be sent twice, with the same Message-ID.
    """
    commune = register.commune
    labels = {code: activity.label for code, activity in commune.activities.items()}
    sent: list[Mail] = []

    def deliver(mail: Mail) -> None:
        mailer(mail)
        sent.append(mail)

    for family_id, movements in register.transmit(now).items():
        family = FAMILIES.get(family_id)
        body = ps.render_nightly_report(
            f"Famille {family.name if family else family_id}",
            commune.structure_name,
            movements,
            labels=labels,
            names=names_of(family),
        )
        key = f"<report-{commune.store_key}-{family_id}-{now:%Y%m%d%H%M%S}@portail.example>"
        deliver(Mail(family_id, "Compte-rendu de vos réservations", body, key))
    for promotion in register.pending_promotions():
        request = promotion.request
        child = names_of(FAMILIES.get(promotion.family)).get(request.child, request.child)
        body = (
            f"Votre demande en liste d'attente est acceptée : {labels[request.activity]}, "
            f"{child}, le {request.day:%d/%m/%Y}."
        )
        key = f"<promotion-{commune.store_key}-{promotion.id}@portail.example>"
        deliver(Mail(promotion.family, "Réservation acceptée", body, key))
        register.mark_sent([promotion], now)
    return sent


class Clock(BaseModel):
    now: datetime | None = None


def night_of(register: ps.Register, now: datetime) -> datetime:
    """The night a batch started at ``now`` belongs to: 02:00 commune-local of
    that day (of the day before, before 02:00). Every run of one night — the
    first, and any run again after a crash — uses this instant."""
    local = register.calendar.local(now)
    night = local.replace(hour=2, minute=0, second=0, microsecond=0)
    return night if local >= night else night - timedelta(days=1)


@app.post("/nightly")
def nightly_run(clock: Clock, register: RegisterDep) -> dict[str, Any]:
    """Run the nightly batch (usually a cron job calling :func:`nightly`)."""
    sent = nightly(register, night_of(register, instant(register, clock.now)))
    return {"sent": [mail._asdict() for mail in sent]}


@app.get("/health")
def health(register: RegisterDep) -> dict[str, Any]:
    return {"pid": os.getpid(), "register": repr(register)}
