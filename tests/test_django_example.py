"""The Django host of docs/examples (docs/examples/django_app.py), through
Django's test client, on every SQL store: the pending selection lives in the
Django session (a signed cookie), the reservations in periscolaire's store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from types import ModuleType
from typing import Any

import pytest

import periscolaire as ps
from tests.stores import Backend, unique_key

pytest.importorskip("django", reason="the Django host needs Django (pip install django)")

OPENING = "2024-08-26T10:00:00"
OCTOBER = ["2024-10-02", "2024-10-09", "2024-10-16"]


@pytest.fixture
def app(sql_backend: Backend, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    monkeypatch.setenv("PERISCOLAIRE_STORE_URL", sql_backend.url)
    monkeypatch.setenv("PERISCOLAIRE_COMMUNE_KEY", unique_key("django"))
    from docs.examples import django_app

    django_app.close_register()
    yield django_app
    django_app.close_register()


@pytest.fixture
def client(app: ModuleType) -> Any:
    from django.test import Client

    return Client()


def post(client: Any, path: str, **body: Any) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json")


def test_a_selection_kept_in_the_django_session_is_confirmed_by_a_restarted_worker(
    app: ModuleType, client: Any
) -> None:
    selected = post(
        client,
        "/families/F-DUPONT/select",
        now=OPENING,
        toggle="weekday",
        child="paolo",
        activity="MERCREDI",
        day=OCTOBER[0],
    )
    assert selected.status_code == 200, selected.content
    assert selected.json()["changed"] == OCTOBER
    assert [r["day"] for r in selected.json()["bookings"]] == OCTOBER
    assert app.register().taken("MERCREDI", date.fromisoformat(OCTOBER[0])) == 0

    app.close_register()  # a deploy: the next request opens the store afresh

    confirmed = post(client, "/families/F-DUPONT/confirm", now=OPENING)
    assert confirmed.status_code == 200, confirmed.content
    assert [r["day"] for r in confirmed.json()["accepted"]] == OCTOBER
    assert client.get(f"/places/MERCREDI/{OCTOBER[1]}").json() == {
        "activity": "MERCREDI",
        "day": OCTOBER[1],
        "capacity": 48,
        "places_left": 47,
    }
    # The selection was emptied: confirming again changes nothing.
    assert post(client, "/families/F-DUPONT/confirm", now=OPENING).json() == {
        "accepted": [],
        "waitlisted": [],
        "refused": [],
        "cancelled": [],
    }


def test_the_family_after_the_last_place_goes_on_the_waiting_list(app: ModuleType, client: Any) -> None:
    day = date.fromisoformat(OCTOBER[1])
    app.register().set_capacity("MERCREDI", day, 1)  # an agent's decision
    for family, child in (("F-DUPONT", "paolo"), ("F-BERNARD", "noe")):
        selected = post(
            client,
            f"/families/{family}/select",
            now=OPENING,
            child=child,
            activity="MERCREDI",
            day=OCTOBER[1],
        )
        assert selected.status_code == 200, selected.content
    assert post(client, "/families/F-DUPONT/confirm", now=OPENING).json()["accepted"] == [
        {"child": "paolo", "activity": "MERCREDI", "day": OCTOBER[1]}
    ]
    assert post(client, "/families/F-BERNARD/confirm", now=OPENING).json()["waitlisted"] == [
        {"child": "noe", "activity": "MERCREDI", "day": OCTOBER[1]}
    ]
    assert client.get(f"/places/MERCREDI/{OCTOBER[1]}").json()["places_left"] == 0
    assert app.register().waiting_list("MERCREDI", day) == (ps.Request("noe", "MERCREDI", day),)


def test_refusals_answer_400_404_or_409_with_a_code_and_a_french_message(client: Any) -> None:
    day = {"activity": "MERCREDI", "day": OCTOBER[1]}
    cases = [
        ("/families/F-MARTIN/select", {"now": OPENING, "child": "lina"} | day, 409, "debtor"),
        ("/families/F-DUPONT/select", {"now": OPENING, "child": "zoe"} | day, 400, "unknown_child"),
        (
            "/families/F-DUPONT/select",
            {"now": OPENING, "child": "paolo", "toggle": "year"} | day,
            400,
            "invalid_data",
        ),
        (
            "/families/F-DUPONT/select",
            {"now": "2024-10-01T10:00", "child": "paolo", "activity": "MERCREDI", "day": OCTOBER[0]},
            409,
            "past_deadline",
        ),
        ("/families/F-NOBODY/select", {"now": OPENING, "child": "x"} | day, 404, "not_found"),
    ]
    for path, body, status, code in cases:
        response = post(client, path, **body)
        assert (response.status_code, response.json()["code"]) == (status, code), response.content
        assert response.json()["message"]
    assert client.get("/families/F-DUPONT/confirm").status_code == 405
    assert client.get("/places/CINEMA/2024-10-09").json()["code"] == "unknown_activity"
