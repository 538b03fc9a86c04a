"""The nightly report e-mail (guide p. 12, « EXEMPLE DE MAIL AUTOMATIQUE REÇU »)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import periscolaire as ps

A, W, R, C = (
    ps.MovementKind.ACCEPTED,
    ps.MovementKind.WAITLISTED,
    ps.MovementKind.REFUSED,
    ps.MovementKind.CANCELLED,
)

# The guide's example, line for line (trailing spaces of the PDF extraction removed,
# the line the PDF wrapped after « Mairie » joined again).
GUIDE_EXAMPLE = """\
M. DUPONT Jean-Paul

Veuillez trouver ci-dessous un compte rendu des modifications apportées à vos demandes de réservation \
sur la structure : Mairie de CarteVille.

14 mouvements sur vos demandes de réservations ont été reçus, dont :
       - 11 nouvelles demandes de réservation
       - 3 demandes d’annulation

****************     RESERVATIONS MISES EN LISTE D'ATTENTE     ****************
--> Activité : MECREDI 7/11 PIERRETTES :
         DUPONT Amalia : lun. 15/05, mar. 16/05

****************     RESERVATIONS ACCEPTEES     ****************
--> Activité : ACCUEIL MATIN :
         DUPONT Paolo : mar. 09/05, mer. 10/05, jeu. 11/05, ven. 12/05, lun. 15/05, mar. 16/05, \
mer. 17/05, jeu. 18/05, ven. 19/05

****************     RESERVATIONS ANNULEES     ****************
--> Activité : ACCUEIL SOIR :
         DUPONT Amalia : ven. 05/05, mar. 09/05
--> Activité : RESTAURATION :
         DUPONT Paolo : ven. 05/05
Vous pouvez consulter l'état de vos réservations sur notre site Internet.
"""


def d(day: int, month: int = 5) -> date:
    return date(2023, month, day)  # the guide's example dates are in May 2023


def test_the_guide_example_comes_out_line_for_line() -> None:
    movements = [
        ps.Movement(C, "ACCUEIL SOIR", "DUPONT Amalia", d(9)),
        ps.Movement(W, "MECREDI 7/11 PIERRETTES", "DUPONT Amalia", d(16)),
        *(ps.Movement(A, "ACCUEIL MATIN", "DUPONT Paolo", d(n)) for n in (9, 10, 11, 12, 15, 16, 17, 18, 19)),
        ps.Movement(W, "MECREDI 7/11 PIERRETTES", "DUPONT Amalia", d(15)),
        ps.Movement(C, "ACCUEIL SOIR", "DUPONT Amalia", d(5)),
        ps.Movement(C, "RESTAURATION", "DUPONT Paolo", d(5)),
    ]
    text = ps.render_nightly_report("M. DUPONT Jean-Paul", "Mairie de CarteVille", movements)
    assert text.splitlines() == GUIDE_EXAMPLE.splitlines()
    assert text == GUIDE_EXAMPLE


def test_counts_of_one_are_singular() -> None:
    text = ps.render_nightly_report(
        "Mme MARTIN", "Mairie de Cestas", [ps.Movement(C, "RESTAURATION", "MARTIN Léa", d(5))]
    )
    assert "1 mouvement sur vos demandes de réservations a été reçu, dont :" in text
    assert "       - 1 demande d’annulation" in text
    assert "nouvelle" not in text  # a count of zero is not printed


def test_refused_requests_have_their_own_section_after_the_accepted_ones() -> None:
    text = ps.render_nightly_report(
        "Mme MARTIN",
        "Mairie de Cestas",
        [
            ps.Movement(R, "RESTAURATION", "MARTIN Léa", d(5)),
            ps.Movement(A, "RESTAURATION", "MARTIN Léa", d(9)),
        ],
    )
    lines = text.splitlines()
    accepted = lines.index("****************     RESERVATIONS ACCEPTEES     ****************")
    refused = lines.index("****************     RESERVATIONS REFUSEES     ****************")
    assert accepted < refused
    assert lines[refused + 2] == "         MARTIN Léa : ven. 05/05"
    assert "2 nouvelles demandes de réservation" in text


def test_activities_and_children_in_order_of_first_appearance_days_ascending_once() -> None:
    text = ps.render_nightly_report(
        "M. X",
        "S",
        [
            ps.Movement(A, "SOIR", "B", d(12)),
            ps.Movement(A, "MATIN", "A", d(11)),
            ps.Movement(A, "SOIR", "A", d(9)),
            ps.Movement(A, "SOIR", "B", d(10)),
            ps.Movement(A, "SOIR", "B", d(10)),
        ],
    )
    body = text.splitlines()[8:-1]
    assert body == [
        "--> Activité : SOIR :",
        "         B : mer. 10/05, ven. 12/05",
        "         A : mar. 09/05",
        "--> Activité : MATIN :",
        "         A : jeu. 11/05",
    ]


def test_report_from_the_register_uses_labels_and_child_names(cestas: ps.Commune) -> None:
    register = ps.Register(cestas)
    family = ps.Family("F1", "DUPONT", (ps.Child("paolo", "Paolo", "DUPONT"),))
    session = register.open_session(
        family, now=datetime(2024, 8, 26), balance=Decimal(0), dossier_complete=True
    )
    session.toggle_weekday("paolo", "ACCUEIL_MATIN", date(2024, 9, 2))
    session.confirm(datetime(2024, 8, 26, 0, 5))
    movements = register.transmit(datetime(2024, 8, 27, 2))["F1"]
    text = ps.render_nightly_report(
        "M. DUPONT Jean-Paul",
        cestas.structure_name,
        movements,
        labels={code: a.label for code, a in cestas.activities.items()},
        names={c.id: c.display_name for c in family.children},
    )
    assert "sur la structure : Mairie de Cestas." in text
    assert "--> Activité : ACCUEIL MATIN :" in text
    assert "         DUPONT Paolo : lun. 02/09, lun. 09/09, lun. 16/09, lun. 23/09, lun. 30/09" in text
