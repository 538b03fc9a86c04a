"""The nightly report e-mail (« compte-rendu »), as plain text.

Guide p. 12: « Un compte-rendu du traitement de vos réservations vous sera
adressé automatiquement par le serveur informatique dans la nuit suivant votre
passage sur le portail. » The guide prints an example (« EXEMPLE DE MAIL
AUTOMATIQUE REÇU »); :func:`render_nightly_report` writes that e-mail line for
line, from the movements :meth:`periscolaire.Register.transmit` returns.

>>> from datetime import date
>>> from periscolaire.booking import Movement, MovementKind, Promotion
>>> text = render_nightly_report("M. DUPONT Jean-Paul", "Mairie de Cestas", [
...     Movement(MovementKind.ACCEPTED, "RESTAURATION", "DUPONT Paolo", date(2024, 9, 2)),
... ])
>>> text.splitlines()[4:]
['1 mouvement sur vos demandes de réservations a été reçu, dont :',
 '       - 1 nouvelle demande de réservation',
 '',
 '****************     RESERVATIONS ACCEPTEES     ****************',
 '--> Activité : RESTAURATION :',
 '         DUPONT Paolo : lun. 02/09',
 "Vous pouvez consulter l'état de vos réservations sur notre site Internet."]

The whole e-mail, and the guide's example reproduced line for line, are in
``docs/report.md`` and ``tests/test_report.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from periscolaire.booking import Movement, MovementKind, Promotion
from periscolaire.errors import InvalidArgument
from periscolaire.french import day_month, short_day

__all__ = ["SECTIONS", "render_nightly_report", "render_promotion"]

#: Sections in the order of the guide's e-mail, with their titles.
SECTIONS: tuple[tuple[MovementKind, str], ...] = (
    (MovementKind.WAITLISTED, "RESERVATIONS MISES EN LISTE D'ATTENTE"),
    (MovementKind.ACCEPTED, "RESERVATIONS ACCEPTEES"),
    (MovementKind.REFUSED, "RESERVATIONS REFUSEES"),
    (MovementKind.CANCELLED, "RESERVATIONS ANNULEES"),
)
_STARS = "*" * 16
_INDENT_COUNT = " " * 7
_INDENT_CHILD = " " * 9


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def render_nightly_report(
    recipient: str,
    structure: str,
    movements: Iterable[Movement],
    *,
    labels: Mapping[str, str] | None = None,
    names: Mapping[str, str] | None = None,
) -> str:
    """The report e-mail for one family.

    ``recipient`` is the greeting line (« M. DUPONT Jean-Paul »), ``structure``
    the commune's structure. Movements carry activity codes and child ids;
    ``labels`` (code -> label) and ``names`` (child id -> « NOM Prénom ») turn
    them into the words of the e-mail (without them, codes and ids are shown
    as they are).

    Sections come in the guide's order and only when not empty; activities
    and children in order of first appearance; days ascending, each once. The
    count line counts new booking requests (waitlisted, accepted, refused) and
    cancellations; a count of zero is not printed; a count of one is singular.
    """
    for name, value in (("recipient", recipient), ("structure", structure)):
        if not isinstance(value, str):
            raise InvalidArgument(f"{name} : une chaîne est attendue, reçu {value!r}.")
    if isinstance(movements, str | bytes) or not isinstance(movements, Iterable):
        raise InvalidArgument(f"movements : une liste de ps.Movement est attendue, reçu {movements!r}.")
    labels = labels or {}
    names = names or {}
    by_kind: dict[MovementKind, dict[str, dict[str, set[date]]]] = {kind: {} for kind, _ in SECTIONS}
    new = cancelled = 0
    for movement in movements:
        try:
            kind = MovementKind(movement.kind)
            movement.activity, movement.child, movement.day  # noqa: B018 - what a movement has
        except (ValueError, AttributeError):
            raise InvalidArgument(f"movements : un ps.Movement est attendu, reçu {movement!r}.") from None
        if kind == MovementKind.CANCELLED:
            cancelled += 1
        else:
            new += 1
        children = by_kind[kind].setdefault(labels.get(movement.activity, movement.activity), {})
        children.setdefault(names.get(movement.child, movement.child), set()).add(movement.day)
    total = new + cancelled
    lines = [
        recipient,
        "",
        "Veuillez trouver ci-dessous un compte rendu des modifications apportées à vos demandes "
        f"de réservation sur la structure : {structure}.",
        "",
        _count(total, "mouvement", "mouvements")
        + " sur vos demandes de réservations "
        + ("a été reçu" if total == 1 else "ont été reçus")
        + ", dont :",
    ]
    if new:
        lines.append(
            f"{_INDENT_COUNT}- "
            + _count(new, "nouvelle demande de réservation", "nouvelles demandes de réservation")
        )
    if cancelled:
        lines.append(
            f"{_INDENT_COUNT}- " + _count(cancelled, "demande d’annulation", "demandes d’annulation")
        )
    for kind, title in SECTIONS:
        activities = by_kind[kind]
        if not activities:
            continue
        lines += ["", f"{_STARS}     {title}     {_STARS}"]
        for label, children in activities.items():
            lines.append(f"--> Activité : {label} :")
            for name, days in children.items():
                listed = ", ".join(day_month(d) for d in sorted(days))
                lines.append(f"{_INDENT_CHILD}{name} : {listed}")
    lines.append("Vous pouvez consulter l'état de vos réservations sur notre site Internet.")
    return "\n".join(lines) + "\n"


def render_promotion(
    promotion: Promotion,
    *,
    labels: Mapping[str, str] | None = None,
    names: Mapping[str, str] | None = None,
) -> str:
    """The e-mail sentence for a waiting-list reservation that was accepted
    (« Vous serez averti par l'envoi d'un mail automatique lorsque des
    réservations en liste d'attente seront acceptées », p. 12).

    >>> from datetime import date, datetime
    >>> from periscolaire.booking import Promotion, Request
    >>> render_promotion(Promotion(Request("paolo", "MERCREDI", date(2024, 9, 18)), "F1", datetime(2024, 9, 2, 18)),
    ...                  labels={"MERCREDI": "CENTRE DE LOISIRS MERCREDI"}, names={"paolo": "DUPONT Paolo"})
    'Votre réservation en liste d’attente du mer. 18/09/2024 (CENTRE DE LOISIRS MERCREDI, DUPONT Paolo) a été acceptée.'
    """
    request = promotion.request
    label = (labels or {}).get(request.activity, request.activity)
    name = (names or {}).get(request.child, request.child)
    day = short_day(request.day)
    return f"Votre réservation en liste d’attente du {day} ({label}, {name}) a été acceptée."
