"""The end-to-end demo: the guide's year, in order, on the bundled configuration."""

from __future__ import annotations

import io
import json
import os
from datetime import datetime

import pytest

from periscolaire.cli import main
from periscolaire.demo import STORY_END, run_demo
from tests.stores import Backend


def test_the_story_walks_the_guides_year_in_order() -> None:
    steps = run_demo()
    assert [s.title for s in steps] == [
        "Dossier famille : fiches remplies et transmises",
        "Dossier famille : décision du service Éducation",
        "Dossier famille : fiche corrigée et validée",
        "Réservations : accès accordé",
        "Réservations : sélection",
        "Réservations : récapitulatif",
        "Réservations : validation",
        "Compte-rendu de la nuit (mail automatique)",
        "Liste d'attente : une place se libère",
        "Paiement et solde, historique",
    ]
    assert [s.at for s in steps] == sorted(s.at for s in steps)
    assert steps[-1].at == STORY_END


def test_a_fiche_is_rejected_for_its_insurance_certificate_then_validated() -> None:
    steps = run_demo()
    assert steps[1].data["rejected"]["fiche"] == "assurance"
    assert steps[1].data["counts"]["rejected"] == 1
    assert steps[2].data["counts"]["validated"] == 12
    assert steps[2].data["grants_booking_access"] is True


def test_booking_opens_on_19_august_and_one_wednesday_is_waitlisted() -> None:
    steps = {s.title: s for s in run_demo()}
    assert steps["Réservations : accès accordé"].at == datetime(2024, 8, 19, 8, 0)
    selection = steps["Réservations : sélection"].data
    assert selection["weekday"] == ["2024-09-11", "2024-09-18", "2024-09-25"]
    assert len(selection["month"]) == 17
    confirmation = steps["Réservations : validation"].data
    assert confirmation["waitlisted"] == [{"child": "paolo", "activity": "MERCREDI", "day": "2024-09-18"}]
    assert confirmation["accepted"] == 28
    assert (
        "RESERVATIONS MISES EN LISTE D'ATTENTE"
        in steps["Compte-rendu de la nuit (mail automatique)"].data["email"]
    )
    assert steps["Liste d'attente : une place se libère"].data["promoted"][0]["child"] == "paolo"


def test_the_account_is_paid_back_to_its_estimated_balance() -> None:
    wallet = run_demo()[-1].data
    assert wallet["debits"] > 0
    assert wallet["balance"].startswith("-")  # the family had not paid ahead
    assert wallet["new_balance"] == wallet["estimated_cost"]  # the payment covers debt and reservations
    assert wallet["payments"][0]["to"] == "jp.dupont@example.fr"


def test_now_stops_the_story() -> None:
    steps = run_demo(datetime(2024, 8, 19, 8, 6))
    assert steps[-1].title == "Réservations : sélection"
    later = run_demo(datetime(2024, 10, 31, 12, 0))
    assert later[-1].at == datetime(2024, 10, 31, 12, 0)
    assert later[-1].data["debits"] > run_demo()[-1].data["debits"]


def test_demo_command_prints_the_story_and_json() -> None:
    out = io.StringIO()
    assert main(["demo"], out) == 0
    text = out.getvalue()
    assert "Veuillez trouver ci-dessous un compte rendu" in text
    assert "── 19/08/2024 08:12 · Réservations : validation" in text
    out = io.StringIO()
    assert main(["demo", "--json", "--now", "2024-08-20T03:00"], out) == 0
    data = json.loads(out.getvalue())
    assert data[-1]["title"] == "Paiement et solde, historique"
    assert data[-2]["title"] == "Compte-rendu de la nuit (mail automatique)"


# -- the story on a store, restarted in the middle ----------------------------------------


def test_the_story_on_a_store_restarts_its_process_and_loses_nothing(sql_backend: Backend) -> None:
    out = io.StringIO()
    assert main(["demo", "--store", sql_backend.url, "--json"], out) == 0
    steps = json.loads(out.getvalue())
    titles = [s["title"] for s in steps]
    restart = titles.index("Redémarrage du portail : un nouveau processus rouvre le stockage")
    assert titles[restart - 1] == "Réservations : validation"
    assert steps[restart]["data"]["pid"] != os.getpid()  # a new interpreter
    # Everything the first process confirmed is read by the second: the 48 places of
    # 18 September, and the Duponts' 29 movements, waiting for the night.
    assert steps[restart]["data"] == {
        "reservations": 77,
        "untransmitted": 29,
        "pid": steps[restart]["data"]["pid"],
    }
    # From there the story is the same as in one process.
    in_memory = [s.to_json() for s in run_demo()]
    assert [s for s in steps if s["title"] != titles[restart]] == in_memory


def test_the_story_cannot_restart_on_a_memory_store(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--store", "memory://"], io.StringIO()) == 2
    assert "memory:// ne survit pas" in capsys.readouterr().err


def test_the_json_story_carries_its_time_zone() -> None:
    # An instant without its offset is a guess for whoever reads it (issue 14).
    for step in run_demo():
        assert step.to_json()["at"].endswith(("+02:00", "+01:00"))
