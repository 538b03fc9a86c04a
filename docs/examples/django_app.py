"""A Django host for periscolaire, in one file.

No Django model and no Django database: the reservations live in
periscolaire's store, which each worker process opens on first use. The
family's pending changes live in the Django session (here the signed-cookie
backend, so that any worker reads them back)::

    periscolaire db upgrade sqlite:///portail.db
    PERISCOLAIRE_STORE_URL=sqlite:///portail.db DJANGO_SECRET_KEY=... \\
        gunicorn --workers 2 docs.examples.django_app:application

or ``python docs/examples/django_app.py runserver`` to try it.

Views: ``POST /families/<id>/select`` (``{"toggle", "child", "activity",
"day"}``), ``POST /families/<id>/confirm`` (the recap applied; answers
``Outcome.to_dict()``), ``GET /places/<activity>/<day>``. Only this module
reads the clock (``django.utils.timezone.now()``); a request may give ``now``
(ISO 8601) for demos and tests.

Environment: ``PERISCOLAIRE_STORE_URL`` (default ``sqlite:///portail.db``),
``PERISCOLAIRE_COMMUNE_KEY`` (the commune's key in the store),
``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS`` (comma-separated).
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import wraps
from typing import Any

import attrs
import django
from django.conf import settings

import periscolaire as ps

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "change-me: only for trying the example"),
        ALLOWED_HOSTS=os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,testserver").split(","),
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[],
        DATABASES={},  # the store is periscolaire's, not the ORM's
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",  # a browser's POSTs carry the CSRF token
        ],
        SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
        USE_TZ=True,
        TIME_ZONE="Europe/Paris",
    )
    django.setup()

# Django's own modules once the settings are in place.
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.urls import path
from django.utils import timezone

STORE_URL = "PERISCOLAIRE_STORE_URL"
DEFAULT_STORE_URL = "sqlite:///portail.db"
COMMUNE_KEY = "PERISCOLAIRE_COMMUNE_KEY"
PENDING = "periscolaire.pending"  # the session key of the booking screen's pending changes

# -- one store and one register per worker process ---------------------------------------------

_registers: dict[int, ps.Register] = {}
_lock = threading.Lock()


def register() -> ps.Register:
    """This process's register, opened on first use: after the server forked
    its workers (gunicorn ``--preload`` included), never shared between them."""
    with _lock:
        found = _registers.get(os.getpid())
        if found is None:
            commune = ps.load_commune()
            key = os.environ.get(COMMUNE_KEY)
            if key:
                commune = attrs.evolve(commune, key=key)
            store = ps.open_store(os.environ.get(STORE_URL, DEFAULT_STORE_URL))
            found = _registers[os.getpid()] = ps.Register(commune, store=store)
        return found


def close_register() -> None:
    """Close this process's store (at shutdown; tests, to start afresh)."""
    with _lock:
        found = _registers.pop(os.getpid(), None)
    if found is not None:
        found.store.close()


# -- the host's own data ---------------------------------------------------------------------------

#: Stands for the portal's accounts (in a real portal: ``request.user``'s family).
FAMILIES: Mapping[str, ps.Family] = {
    family.id: family
    for family in (
        ps.Family(
            "F-DUPONT",
            "DUPONT",
            (ps.Child("paolo", "Paolo", "DUPONT"), ps.Child("amalia", "Amalia", "DUPONT")),
        ),
        ps.Family("F-MARTIN", "MARTIN", (ps.Child("lina", "Lina", "MARTIN"),)),
        ps.Family("F-BERNARD", "BERNARD", (ps.Child("noe", "Noé", "BERNARD"),)),
    )
}
#: Stands for the wallet (``Account.balance()``): F-MARTIN is in debt.
BALANCES: Mapping[str, Decimal] = {"F-MARTIN": Decimal("-12.50")}


class NotFound(Exception):
    pass


def status_of(error: ps.PeriscolaireError) -> int:
    """400: the request is wrong; 409: the rules refuse it now; 503: the store failed."""
    if isinstance(error, ps.StoreError):
        return 503
    if isinstance(error, ps.BookingError):
        return 409
    return 400


Handler = Callable[..., dict[str, Any]]
View = Callable[..., HttpResponse]


def json_view(method: str) -> Callable[[Handler], View]:
    """A view answering ``method`` only: the request's JSON body (or query)
    as ``data``, the answer as JSON, a refusal as 400/409 with its code and
    its French message."""

    def decorate(view: Handler) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method != method:
                return HttpResponseNotAllowed([method])
            return answer(view, request, *args, **kwargs)

        return wrapper

    return decorate


def answer(view: Handler, request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    try:
        data = json.loads(request.body or b"{}") if request.method == "POST" else dict(request.GET.items())
        if not isinstance(data, dict):
            raise ps.InvalidData("", "un objet JSON est attendu")
        return JsonResponse(view(request, data, *args, **kwargs))
    except json.JSONDecodeError as error:
        return JsonResponse({"code": "bad_json", "message": f"JSON invalide : {error}"}, status=400)
    except NotFound as error:
        return JsonResponse({"code": "not_found", "message": str(error)}, status=404)
    except ps.PeriscolaireError as error:
        return JsonResponse({"code": error.code, "message": error.message}, status=status_of(error))


def instant(data: Mapping[str, Any]) -> datetime:
    """The clock, unless the request gives an instant (demos, tests)."""
    given = data.get("now")
    if given is None:
        now: datetime = timezone.now()
        return now
    try:
        return datetime.fromisoformat(str(given))
    except ValueError:
        raise ps.InvalidData("now", f"date et heure ISO attendue, reçu {given!r}") from None


def day_of(value: Any, key: str = "day") -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ps.InvalidData(key, f"date ISO attendue, reçu {value!r}") from None


def open_screen(request: HttpRequest, family_id: str, now: datetime) -> ps.BookingSession:
    """The family's booking screen, with the pending changes kept in its
    Django session (saved by the previous request, on any worker)."""
    family = FAMILIES.get(family_id)
    if family is None:
        raise NotFound(f"compte famille inconnu : {family_id!r}")
    saved = request.session.get(PENDING, {}).get(family_id)
    return register().open_session(
        family,
        now=now,
        balance=BALANCES.get(family_id, Decimal("0.00")),
        dossier_complete=True,  # Dossier.grants_booking_access
        pending=saved,
    )


def save(request: HttpRequest, session: ps.BookingSession) -> None:
    pending = dict(request.session.get(PENDING, {}))
    pending[session.family.id] = session.to_dict()
    request.session[PENDING] = pending


# -- views -------------------------------------------------------------------------------------------


@json_view("POST")
def select(request: HttpRequest, data: dict[str, Any], family_id: str) -> dict[str, Any]:
    session = open_screen(request, family_id, instant(data))
    toggles: dict[str, Callable[[str, str, date], bool | tuple[date, ...]]] = {
        "day": session.toggle_day,
        "week": session.toggle_week,
        "weekday": session.toggle_weekday,
        "month": session.toggle_month,
    }
    toggle = toggles.get(data.get("toggle", "day"))
    if toggle is None:
        raise ps.InvalidData("toggle", f"day, week, weekday ou month attendu, reçu {data.get('toggle')!r}")
    day = day_of(data.get("day"))
    changed = toggle(str(data.get("child")), str(data.get("activity")), day)
    save(request, session)
    recap = session.recap()
    return {
        "changed": [day.isoformat()] if isinstance(changed, bool) else [d.isoformat() for d in changed],
        "bookings": [r.to_dict() for r in recap.bookings],
        "cancellations": [r.to_dict() for r in recap.cancellations],
    }


@json_view("POST")
def confirm(request: HttpRequest, data: dict[str, Any], family_id: str) -> dict[str, Any]:
    now = instant(data)
    session = open_screen(request, family_id, now)
    outcome = session.confirm(now)
    save(request, session)  # now empty
    return outcome.to_dict()


@json_view("GET")
def places(request: HttpRequest, data: dict[str, Any], activity: str, day: str) -> dict[str, Any]:
    on = day_of(day)
    booked = register()
    return {
        "activity": activity,
        "day": on.isoformat(),
        "capacity": booked.capacity(activity, on),
        "places_left": booked.places_left(activity, on),
    }


urlpatterns = [
    path("families/<str:family_id>/select", select),
    path("families/<str:family_id>/confirm", confirm),
    path("places/<str:activity>/<str:day>", places),
]

application = get_wsgi_application()

if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
