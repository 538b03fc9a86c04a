"""Our own properties written the way a host project would write them, with
the public strategies of periscolaire.strategies."""

from __future__ import annotations

import contextlib
from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

import periscolaire as ps
from periscolaire.strategies import booking_selections, dossiers, families, instants, uploads
from tests.properties.shared import cestas

# Families enrolled in Cestas's activities, read from the commune at first use.
cestas_families = st.deferred(lambda: families(activities=tuple(cestas().activities)))


@given(cestas_families, st.data())
def test_a_confirmed_booking_was_bookable_at_confirmation(family: ps.Family, data: st.DataObject) -> None:
    commune = cestas()
    register = ps.Register(commune)
    now = data.draw(instants(datetime(2024, 8, 19).date(), datetime(2025, 6, 30).date()))
    session = register.open_session(family, now=now, balance=ps.money.ZERO, dossier_complete=True)
    for kind, child, code, day in data.draw(booking_selections(commune, family)):
        with contextlib.suppress(ps.NotBookable):
            getattr(session, f"toggle_{kind}")(child, code, day)
    for request in session.recap().bookings:
        assert commune.calendar.is_bookable(request.activity, request.day, now)
        assert family.child(request.child).enrolled_in(request.activity)
    outcome = session.confirm(now)
    for request in outcome.accepted + outcome.waitlisted:
        assert register.status(*request) is not None


@given(dossiers())
def test_counts_always_sum_to_the_fiches_and_access_follows_the_states(dossier: ps.Dossier) -> None:
    assert sum(dossier.counts().values()) == len(dossier.fiches())
    if dossier.grants_booking_access:
        assert all(
            f.state in (ps.FicheState.TRANSMITTED, ps.FicheState.VALIDATED) or f.in_force
            for f in dossier.fiches()
        )


@given(st.lists(uploads(valid=True), max_size=4))
def test_valid_uploads_are_accepted(files: list[ps.Upload]) -> None:
    assert ps.attachment_problems(files) == ()


@given(uploads(valid=False))
def test_invalid_uploads_are_refused_with_a_code(upload: ps.Upload) -> None:
    problems = ps.attachment_problems([upload])
    assert problems
    assert problems[0].code in {"too_large", "empty", "type_not_allowed", "extension_mismatch", "bad_name"}
