"""Invariants of stored dossiers under any sequence of operations, on every store.

A Hypothesis state machine edits, transmits, validates and rejects fiches,
manages contacts and sends back stale forms on a dossier in a store, and does
the same on an in-memory ``Dossier`` (the model). After every step: the
stored dossier is the model's; a validated version, once there, is never
lost; a stale form changes nothing. Runs on the memory, SQLite, PostgreSQL
and MariaDB stores.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import periscolaire as ps
from periscolaire.store.health import HealthCipher
from tests.properties.shared import cestas, on_every_store
from tests.stores import keyed

pytest.importorskip("cryptography", reason="the [crypto] extra seals health data")

FAMILY = ps.Family("F-DUPONT", "DUPONT", (ps.Child("paolo", "Paolo", "DUPONT"),))
KEY = HealthCipher.generate_key()
NOW = datetime(2024, 6, 20, 9)
KINDS = st.sampled_from([ps.FicheKind.SANTE, ps.FicheKind.AUTORISATIONS, ps.FicheKind.ASSURANCE])
VALUES = {
    ps.FicheKind.SANTE: st.fixed_dictionaries(
        {},
        optional={
            "allergies": st.sampled_from(["", "arachide", "pollen"]),
            "doctor_name": st.sampled_from(["", "Dr Martin"]),
            "vaccinations_up_to_date": st.booleans(),
        },
    ),
    ps.FicheKind.AUTORISATIONS: st.fixed_dictionaries(
        {}, optional={"image_rights": st.booleans(), "publication": st.booleans()}
    ),
    ps.FicheKind.ASSURANCE: st.fixed_dictionaries(
        {},
        optional={
            "company": st.sampled_from(["MAIF", "MACIF"]),
            "contract_number": st.sampled_from(["", "123"]),
            "expiry": st.sampled_from([date(2025, 8, 31), date(2024, 12, 31)]),
        },
    ),
}


class DossierMachine(RuleBasedStateMachine):
    url = "memory://"
    _stores: ClassVar[dict[str, ps.Store]] = {}

    def __init__(self) -> None:
        super().__init__()
        store = self._stores.get(self.url) if self.url != "memory://" else None
        if store is None:
            store = ps.open_store(self.url, health_keys=[KEY])
            if self.url != "memory://":
                self._stores[self.url] = store
        commune = cestas()
        families = ps.Families(keyed(commune, "dossiers"), store=store)
        self.stored = families.family(FAMILY).dossier(2024)
        self.stored.open()
        self.agent = families.agent("martine").dossier(FAMILY.id, 2024)
        self.model = ps.Dossier.open(
            FAMILY,
            2024,
            deadline=commune.dossier_deadline,
            opens=commune.dossier_opens,
            insurance_grace_days=commune.insurance_grace_days,
        )
        self.ever_validated: set[ps.FicheKind] = set()

    def both(self, on_model: Any, on_store: Any) -> None:
        """The same operation on the model and on the store: the same result, or the same error code."""
        try:
            expected = on_model(self.model)
        except ps.PeriscolaireError as exc:
            code = exc.code
            with pytest.raises(ps.PeriscolaireError) as info:
                on_store()
        else:
            assert on_store() == expected
            return
        assert info.value.code == code

    @rule(data=st.data(), kind=KINDS)
    def edit(self, data: st.DataObject, kind: ps.FicheKind) -> None:
        values = data.draw(VALUES[kind])
        self.both(
            lambda d: d.edit(kind, "paolo", **values), lambda: self.stored.edit(kind, "paolo", **values)
        )

    @rule(kind=KINDS)
    def transmit(self, kind: ps.FicheKind) -> None:
        self.both(
            lambda d: d.transmit(kind, "paolo", now=NOW), lambda: self.stored.transmit(kind, "paolo", now=NOW)
        )

    @rule(kind=KINDS, reject=st.booleans())
    def decide(self, kind: ps.FicheKind, reject: bool) -> None:
        if reject:
            self.both(
                lambda d: d.reject(kind, "paolo", reason="Incomplet", now=NOW, agent="martine"),
                lambda: self.agent.reject(kind, "paolo", reason="Incomplet", now=NOW),
            )
        else:
            self.both(
                lambda d: d.validate(kind, "paolo", now=NOW, agent="martine"),
                lambda: self.agent.validate(kind, "paolo", now=NOW),
            )

    @rule(kind=KINDS, behind=st.integers(1, 3))
    def a_stale_form_changes_nothing(self, kind: ps.FicheKind, behind: int) -> None:
        before = self.stored.read().to_dict()
        read_at = self.stored.fiche(kind, "paolo").version - behind
        with pytest.raises(ps.StaleWrite):
            self.stored.edit(kind, "paolo", version=read_at)
        assert self.stored.read().to_dict() == before

    @rule(name=st.sampled_from(["DURAND", "MOREAU", ""]))
    def add_contact(self, name: str) -> None:
        self.both(
            lambda d: d.add_contact(name, "Anne", "0601020304"),
            lambda: self.stored.add_contact(name, "Anne", "0601020304"),
        )

    @rule(number=st.integers(1, 4), link=st.booleans())
    def link_or_delete_contact(self, number: int, link: bool) -> None:
        contact = f"C{number}"
        if link:
            self.both(
                lambda d: d.link_contact(
                    "paolo", contact, relationship="Tante", may_pick_up=True, emergency_call=False
                ),
                lambda: self.stored.link_contact(
                    "paolo", contact, relationship="Tante", may_pick_up=True, emergency_call=False
                ),
            )
        else:
            self.both(lambda d: d.delete_contact(contact), lambda: self.stored.delete_contact(contact))

    @rule(today=st.sampled_from([date(2024, 12, 31), date(2025, 1, 1)]))
    def check_expiries(self, today: date) -> None:
        self.both(lambda d: d.check_expiries(today), lambda: self.agent.check_expiries(today))

    @invariant()
    def the_stored_dossier_is_the_models(self) -> None:
        assert self.stored.read().to_dict() == self.model.to_dict()

    @invariant()
    def a_validated_version_is_never_lost(self) -> None:
        for fiche in self.stored.fiches():
            if fiche.validated is not None:
                self.ever_validated.add(fiche.kind)
            elif fiche.kind in self.ever_validated:
                raise AssertionError(f"{fiche.kind} lost its validated version")


(
    TestDossierMachine,
    TestDossierMachineOnSQLite,
    TestDossierMachineOnPostgreSQL,
    TestDossierMachineOnMariaDB,
) = on_every_store(
    DossierMachine,
    sqlite=settings(max_examples=15, stateful_step_count=20),
    servers=settings(max_examples=10, stateful_step_count=20),
)
