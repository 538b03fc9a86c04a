"""Invariants of the dossier workflow under any sequence of family and agent actions:
a transmitted fiche never changes, validated data is never lost, and counts()
always sums to the number of fiches."""

from __future__ import annotations

from datetime import date, datetime

from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import periscolaire as ps

K, S = ps.FicheKind, ps.FicheState
FAMILY = ps.Family(
    "F1", "DUPONT", (ps.Child("paolo", "Paolo", "DUPONT"), ps.Child("amalia", "Amalia", "DUPONT"))
)
NOW = datetime(2024, 6, 20, 20)
PDF = b"%PDF-1.7"

FIELD_VALUES = {
    K.RESPONSABLE: st.fixed_dictionaries(
        {},
        optional={
            "last_name": st.sampled_from(["DUPONT", ""]),
            "first_name": st.just("Jean-Paul"),
            "address": st.just("1 avenue"),
            "postcode": st.just("33610"),
            "city": st.just("Cestas"),
            "phone": st.sampled_from(["0556000000", "0611111111"]),
            "emails": st.just("jp@example.fr"),
            "separated": st.booleans(),
        },
    ),
    K.AUTRE_RESPONSABLE: st.fixed_dictionaries(
        {}, optional={"last_name": st.just("DUPONT"), "first_name": st.just("Marie"), "phone": st.just("06")}
    ),
    K.ASSURANCE: st.fixed_dictionaries(
        {},
        optional={
            "company": st.just("MAIF"),
            "contract_number": st.just("123"),
            "expiry": st.sampled_from([date(2025, 8, 31), date(2024, 7, 1)]),
        },
    ),
    K.AUTORISATIONS: st.fixed_dictionaries({}, optional={"image_rights": st.booleans()}),
    K.CONTACTS: st.just({}),
    K.SANTE: st.fixed_dictionaries(
        {},
        optional={
            "vaccinations_up_to_date": st.booleans(),
            "doctor_name": st.sampled_from(["Dr Martin", ""]),
            "pai": st.booleans(),
            "allergies": st.sampled_from(["", "arachide"]),
        },
    ),
    K.REGLEMENT: st.fixed_dictionaries({}, optional={"acknowledged": st.booleans()}),
}
DOCUMENTS = {
    K.RESPONSABLE: [ps.Document.PROOF_OF_ADDRESS, ps.Document.DIVORCE_JUDGMENT],
    K.ASSURANCE: [ps.Document.INSURANCE_CERTIFICATE],
    K.SANTE: [ps.Document.PAI_PRESCRIPTION, ps.Document.PAI_PHOTO],
}


class DossierMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dossier = ps.Dossier.open(FAMILY, school_year=2024, other_responsable=True)
        self.ids = [f.id for f in self.dossier.fiches()]
        self.last_validated: dict[object, ps.FicheVersion] = {}

    def _snapshot(self) -> dict[object, ps.Fiche]:
        return {f.id: f for f in self.dossier.fiches()}

    def _attempt(self, action: object) -> None:
        before = self._snapshot()
        try:
            action()  # type: ignore[operator]
        except ps.PeriscolaireError:
            assert self._snapshot() == before  # nothing is half-applied
            return
        event("an action succeeded")
        after = self._snapshot()
        for key, fiche in before.items():
            if fiche.state is S.TRANSMITTED and after[key].state is S.TRANSMITTED:
                assert after[key].current == fiche.current  # a transmitted fiche never changes

    @rule(data=st.data())
    def family_edits(self, data: st.DataObject) -> None:
        kind, child = data.draw(st.sampled_from(self.ids))
        values = data.draw(FIELD_VALUES[kind])
        self._attempt(lambda: self.dossier.edit(kind, child, **values))

    @rule(data=st.data())
    def family_attaches(self, data: st.DataObject) -> None:
        kind, child = data.draw(st.sampled_from([i for i in self.ids if i[0] in DOCUMENTS]))
        document = data.draw(st.sampled_from(DOCUMENTS[kind]))
        files = [ps.Upload(f"p{i}.pdf", PDF) for i in range(data.draw(st.integers(0, 5)))]
        self._attempt(lambda: self.dossier.attach(kind, child, document, files))

    @rule(data=st.data())
    def family_transmits(self, data: st.DataObject) -> None:
        kind, child = data.draw(st.sampled_from(self.ids))
        signature = data.draw(st.sampled_from([None, ps.Signature("J-P DUPONT", "Cestas", NOW)]))
        self._attempt(lambda: self.dossier.transmit(kind, child, now=NOW, signature=signature))

    @rule(data=st.data(), accept=st.booleans())
    def agent_decides(self, data: st.DataObject, accept: bool) -> None:
        kind, child = data.draw(st.sampled_from(self.ids))
        if accept:
            self._attempt(lambda: self.dossier.validate(kind, child, now=NOW, agent="agent"))
            fiche = self.dossier.fiche(kind, child)
            if fiche.state is S.VALIDATED:
                event("a fiche was validated")
                assert fiche.validated is not None
                self.last_validated[(kind, child)] = fiche.validated
        else:
            self._attempt(
                lambda: self.dossier.reject(kind, child, reason="Incomplet.", now=NOW, agent="agent")
            )

    @invariant()
    def counts_sum_to_the_number_of_fiches(self) -> None:
        counts = self.dossier.counts()
        assert sum(counts.values()) == len(self.ids)
        for state in S:
            assert counts[state] == sum(1 for f in self.dossier.fiches() if f.state is state)

    @invariant()
    def validated_data_is_never_lost(self) -> None:
        for key, version in self.last_validated.items():
            assert self.dossier.fiche(*key).validated == version  # type: ignore[arg-type]

    @invariant()
    def access_matches_the_states(self) -> None:
        done = all(f.state in (S.TRANSMITTED, S.VALIDATED) or f.in_force for f in self.dossier.fiches())
        assert self.dossier.grants_booking_access == done


TestDossierMachine = DossierMachine.TestCase
