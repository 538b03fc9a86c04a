"""The prepaid family account (guide p. 10, 13-14)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal as D

import pytest

import periscolaire as ps
from periscolaire.errors import LedgerError
from periscolaire.wallet import Account, EntryKind, estimate

WALLETS = ("PERISCOLAIRE", "RESTAURATION", "EXTRASCOLAIRE")


@pytest.fixture
def account() -> Account:
    return Account(wallets=WALLETS)


def test_balance_is_positive_in_credit_and_negative_in_debt(account: Account) -> None:
    # « en positif si votre solde est créditeur, en négatif sinon » (p. 13)
    account.pay("RESTAURATION", D("20.00"), date(2024, 8, 26), reference="CB-1")
    assert account.balance() == D("20.00")
    account.debit("RESTAURATION", D("25.50"), date(2024, 9, 30), "Repas de septembre")
    assert account.balance("RESTAURATION") == D("-5.50")
    assert account.is_debtor


def test_the_account_balance_is_the_sum_of_its_porte_monnaies(account: Account) -> None:
    account.pay("RESTAURATION", D("40.00"), date(2024, 8, 26), reference="CB-1")
    account.pay("EXTRASCOLAIRE", D("30.00"), date(2024, 8, 26), reference="CB-2")
    account.debit("PERISCOLAIRE", D("12.00"), date(2024, 9, 30), "Accueil")
    assert [account.balance(w) for w in WALLETS] == [D("-12.00"), D("40.00"), D("30.00")]
    assert account.balance() == D("58.00")
    assert not account.is_debtor  # the account is not in debt, even if one porte-monnaie is


def test_a_debtor_account_cannot_open_the_booking_screen(account: Account, cestas: ps.Commune) -> None:
    # « Vous ne pourrez pas accéder à la réservation si votre Compte Famille est débiteur » (p. 10)
    account.debit("RESTAURATION", D("3.60"), date(2024, 9, 2), "Repas")
    family = ps.Family("F1", "DUPONT", (ps.Child("paolo", "Paolo", "DUPONT"),))
    with pytest.raises(ps.BookingAccessDenied):
        ps.Register(cestas).open_session(
            family,
            now=ps.load_commune().calendar.periods[0].opens_at,
            balance=account.balance(),
            dossier_complete=True,
        )


@pytest.mark.parametrize(
    ("amount", "error", "code"),
    [
        (12.5, TypeError, "float_amount"),
        (D("NaN"), ps.InvalidAmount, "not_finite"),
        (D("Infinity"), ps.InvalidAmount, "not_finite"),
        (D("1.005"), ps.InvalidAmount, "sub_cent"),
        ("12.50", ps.InvalidAmount, "not_decimal"),
        (D(0), LedgerError, "not_positive"),
        (D("-5.00"), LedgerError, "not_positive"),
    ],
)
def test_bad_amounts_are_refused_and_leave_the_ledger_unchanged(
    account: Account, amount: object, error: type[Exception], code: str
) -> None:
    account.pay("RESTAURATION", D("10.00"), date(2024, 8, 26), reference="CB-1")
    before = account.entries
    with pytest.raises(error) as info:
        account.pay("RESTAURATION", amount, date(2024, 8, 27), reference="CB-2")  # type: ignore[arg-type]
    assert info.value.code == code  # type: ignore[attr-defined]
    assert account.entries == before
    assert account.balance() == D("10.00")


def test_an_unknown_porte_monnaie_is_an_error(account: Account) -> None:
    with pytest.raises(ps.UnknownWallet):
        account.credit("CANTINE", D("1.00"), date(2024, 9, 1), "x")
    assert account.entries == ()


def test_a_payment_records_amount_date_wallet_and_reference_only(account: Account) -> None:
    # « Aucune information concernant votre carte bancaire n'est enregistrée, uniquement
    # le montant et la date du paiement » (p. 14)
    receipt = account.pay(
        "RESTAURATION", D("35.00"), date(2024, 8, 26), reference="PAYFIP-0042", email="jp.dupont@example.fr"
    )
    entry = receipt.entry
    assert (entry.wallet, entry.amount, entry.on, entry.reference, entry.kind) == (
        "RESTAURATION",
        D("35.00"),
        date(2024, 8, 26),
        "PAYFIP-0042",
        EntryKind.PAYMENT,
    )
    assert receipt.to == "jp.dupont@example.fr"
    assert receipt.text() == (
        "Paiement reçu le 26/08/2024 : 35.00 € sur le porte-monnaie RESTAURATION (référence PAYFIP-0042)."
    )
    with pytest.raises(LedgerError):
        account.pay("RESTAURATION", D("1.00"), date(2024, 8, 26), reference=" ")


def test_a_correction_reverses_an_entry_without_editing_it(account: Account) -> None:
    debit = account.debit("RESTAURATION", D("3.60"), date(2024, 9, 2), "Repas du 02/09")
    correction = account.correct(debit.number, date(2024, 9, 5), "Absence justifiée")
    assert correction.amount == D("3.60")
    assert correction.reverses == debit.number
    assert account.balance() == D("0.00")
    assert account.entries[0] == debit  # unchanged
    with pytest.raises(LedgerError) as info:
        account.correct(debit.number, date(2024, 9, 6))
    assert info.value.code == "already_corrected"
    with pytest.raises(LedgerError) as info:
        account.correct(correction.number, date(2024, 9, 6))
    assert info.value.code == "cannot_correct_correction"
    with pytest.raises(LedgerError):
        account.correct(99, date(2024, 9, 6))


def test_a_ledger_is_rebuilt_from_its_entries(account: Account) -> None:
    account.pay("RESTAURATION", D("10.00"), date(2024, 8, 26), reference="CB-1")
    account.debit("PERISCOLAIRE", D("1.40"), date(2024, 9, 2), "Accueil")
    again = Account(wallets=WALLETS, entries=account.entries)
    assert again.balance() == account.balance()
    assert again.entries == account.entries


# -- estimates (p. 13-14) -----------------------------------------------------------------

COSTS = [(date(2024, 9, 12), D("2.84")), (date(2024, 9, 13), D("2.84")), (date(2024, 10, 3), D("2.84"))]


def test_estimated_cost_counts_reservations_up_to_the_given_date() -> None:
    # « renseignez le champ Calculer vos réservations jusqu'au »
    assert estimate(D("10.00"), COSTS).reservations == D("8.52")
    assert estimate(D("10.00"), COSTS, until=date(2024, 9, 30)).reservations == D("5.68")
    assert estimate(D("10.00"), COSTS, until=date(2024, 9, 12)).reservations == D("2.84")  # included


def test_estimated_balance_in_credit_is_credit_minus_reservations() -> None:
    # « (Votre crédit – Montant des réservations) »
    e = estimate(D("10.00"), COSTS)
    assert e.estimated_balance == e.credit - e.reservations == D("1.48")
    assert e.suggested_payment == D("0.00")


def test_estimated_balance_in_debt_is_amount_due_plus_reservations() -> None:
    # « (Montant dû + Montant des réservations) »
    e = estimate(D("-4.10"), COSTS)
    assert e.amount_due == D("4.10")
    assert -e.estimated_balance == e.amount_due + e.reservations == D("12.62")
    assert e.suggested_payment == D("12.62")


def test_suggested_payment_brings_the_estimated_balance_to_zero_never_below() -> None:
    e = estimate(D("5.00"), COSTS)
    assert e.suggested_payment == D("3.52")
    assert e.estimated_balance + e.suggested_payment == 0
    assert estimate(D("50.00"), COSTS).suggested_payment == 0


def test_estimate_per_porte_monnaie(account: Account) -> None:
    # « Le solde de votre compte est affiché, avec le détail par porte-monnaie » (p. 13)
    account.pay("RESTAURATION", D("5.00"), date(2024, 8, 26), reference="CB-1")
    account.debit("EXTRASCOLAIRE", D("8.00"), date(2024, 9, 11), "Mercredi")
    costs = [
        ("RESTAURATION", date(2024, 9, 12), D("2.84")),
        ("RESTAURATION", date(2024, 9, 13), D("2.84")),
        ("EXTRASCOLAIRE", date(2024, 9, 18), D("8.00")),
    ]
    result = account.estimate(costs)
    assert result.wallets["RESTAURATION"].suggested_payment == D("0.68")
    assert result.wallets["EXTRASCOLAIRE"].suggested_payment == D("16.00")
    assert result.wallets["PERISCOLAIRE"].reservations == 0
    assert result.total.estimated_balance == D("-16.68")
    assert result.total.suggested_payment == D("16.68")


def test_estimate_refuses_float_costs() -> None:
    with pytest.raises(TypeError):
        estimate(D(0), [(date(2024, 9, 2), 2.84)])  # type: ignore[list-item]


# -- debiting consumptions --------------------------------------------------------------------


def _reservations() -> list[ps.Reservation]:
    return [
        ps.Reservation("paolo", "RESTAURATION", date(2024, 9, 2), "F1", "accepted", 1),
        ps.Reservation("paolo", "RESTAURATION", date(2024, 9, 3), "F1", "accepted", 2),
        ps.Reservation("paolo", "MERCREDI", date(2024, 9, 11), "F1", "waitlisted", 3),
        ps.Reservation("paolo", "RESTAURATION", date(2024, 9, 5), "F1", "accepted", 4),
    ]


def test_past_accepted_reservations_are_debited_once_whatever_the_number_of_runs(
    account: Account, cestas: ps.Commune
) -> None:
    restauration = cestas.activity("RESTAURATION").tariff
    assert restauration is not None

    def price(r: object) -> D:
        return restauration.price(D(812))

    wallet_of = {code: a.wallet for code, a in cestas.activities.items()}
    first = account.debit_consumptions(
        _reservations(), today=date(2024, 9, 5), price=price, wallet_of=wallet_of
    )
    assert [(e.on, e.amount) for e in first] == [
        (date(2024, 9, 2), D("-2.84")),
        (date(2024, 9, 3), D("-2.84")),
    ]
    assert (
        account.debit_consumptions(_reservations(), today=date(2024, 9, 5), price=price, wallet_of=wallet_of)
        == ()
    )
    later = account.debit_consumptions(
        _reservations(), today=date(2024, 9, 9), price=price, wallet_of=wallet_of
    )
    assert [e.on for e in later] == [date(2024, 9, 5)]  # the waitlisted Wednesday is never debited
    assert account.balance("RESTAURATION") == D("-8.52")


def test_a_corrected_consumption_is_not_debited_again(account: Account) -> None:
    wallet_of = {"RESTAURATION": "RESTAURATION", "MERCREDI": "EXTRASCOLAIRE"}
    (debit, *_) = account.debit_consumptions(
        _reservations(), today=date(2024, 9, 4), price=lambda r: D("2.84"), wallet_of=wallet_of
    )
    account.correct(debit.number, date(2024, 9, 4), "Absence justifiée")
    again = account.debit_consumptions(
        _reservations(), today=date(2024, 9, 4), price=lambda r: D("2.84"), wallet_of=wallet_of
    )
    assert again == ()


def test_a_justified_absence_priced_zero_debits_nothing(account: Account) -> None:
    wallet_of = {"RESTAURATION": "RESTAURATION"}
    assert (
        account.debit_consumptions(
            _reservations()[:1], today=date(2024, 9, 4), price=lambda r: D(0), wallet_of=wallet_of
        )
        == ()
    )


def test_a_failing_debit_run_writes_nothing(account: Account) -> None:
    prices = iter([D("2.84"), 2.84])
    with pytest.raises(TypeError):
        account.debit_consumptions(
            _reservations(),
            today=date(2024, 9, 9),
            price=lambda r: next(prices),
            wallet_of={"RESTAURATION": "RESTAURATION"},
        )
    assert account.entries == ()


# -- history (p. 13) --------------------------------------------------------------------------


def test_history_shows_the_current_and_the_previous_month(account: Account) -> None:
    # « l'historique de vos consommations et de vos paiements sur le mois en cours et le
    # mois précédent » ; older history is asked from the régie.
    account.pay("RESTAURATION", D("40.00"), date(2024, 8, 26), reference="CB-1")
    account.debit("RESTAURATION", D("2.84"), date(2024, 9, 2), "Repas 02/09")
    account.pay("RESTAURATION", D("20.00"), date(2024, 10, 1), reference="CB-2")
    debit = account.debit("RESTAURATION", D("2.84"), date(2024, 10, 3), "Repas 03/10")
    account.correct(debit.number, date(2024, 10, 4), "Absence justifiée")
    history = account.history(date(2024, 10, 15))
    assert (history.start, history.end) == (date(2024, 9, 1), date(2024, 10, 15))
    assert [e.label for e in history.consumptions] == ["Repas 02/09", "Repas 03/10", "Absence justifiée"]
    assert [e.reference for e in history.payments] == ["CB-2"]


def test_history_in_january_goes_back_to_december(account: Account) -> None:
    account.pay("RESTAURATION", D("40.00"), date(2024, 12, 2), reference="CB-1")
    assert account.history(date(2025, 1, 10)).start == date(2024, 12, 1)
    assert len(account.history(date(2025, 1, 10)).payments) == 1


def test_history_exports_csv_rows(account: Account) -> None:
    account.pay("RESTAURATION", D("40.00"), date(2024, 10, 1), reference="CB-1")
    history = account.history(date(2024, 10, 15))
    assert history.rows("payments") == [
        ("date", "porte-monnaie", "libellé", "montant", "référence"),
        ("2024-10-01", "RESTAURATION", "Paiement", "40.00", "CB-1"),
    ]
    assert history.to_csv("payments").splitlines()[1] == "2024-10-01;RESTAURATION;Paiement;40.00;CB-1"


# -- ledgers read back from storage ---------------------------------------------------------


def test_an_entry_kind_stored_as_text_is_read_as_the_kind() -> None:
    # A host storing the kind as text gets "consumption" back: its consumptions
    # must not be debited twice after a reload.
    stored = ps.Entry(
        1,
        "RESTAURATION",
        date(2024, 9, 2),
        D("-3.60"),
        "consumption",
        "Repas",
        "paolo/RESTAURATION/2024-09-02",
    )
    account = Account(WALLETS, [stored])
    reservation = ps.Reservation("paolo", "RESTAURATION", date(2024, 9, 2), "F1", "accepted")
    assert (
        account.debit_consumptions(
            [reservation],
            today=date(2024, 9, 3),
            price=lambda r: D("3.60"),
            wallet_of={"RESTAURATION": "RESTAURATION"},
        )
        == ()
    )
    assert stored.kind is EntryKind.CONSUMPTION


def test_an_unknown_entry_kind_is_a_ledger_error() -> None:
    with pytest.raises(LedgerError) as info:
        ps.Entry(1, "RESTAURATION", date(2024, 9, 2), D("-3.60"), "gift", "x")
    assert info.value.code == "unknown_entry_kind"


@pytest.mark.parametrize(
    "entries",
    [
        [
            ps.Entry(1, "RESTAURATION", date(2024, 9, 2), D("-5.00"), "payment", "Paiement", "CB-1")
        ],  # a negative payment
        [
            ps.Entry(1, "RESTAURATION", date(2024, 9, 2), D("5.00"), "correction", "x", reverses=7)
        ],  # corrects nothing
        [ps.Entry(2, "RESTAURATION", date(2024, 9, 2), D("5.00"), "credit", "x")],  # out of sequence
        [
            ps.Entry(1, "RESTAURATION", date(2024, 9, 2), D("5.00"), "payment", "Paiement", "CB-1"),
            ps.Entry(2, "RESTAURATION", date(2024, 9, 2), D("5.00"), "payment", "Paiement", "CB-1"),  # twice
        ],
    ],
)
def test_a_ledger_that_breaks_a_rule_is_refused_at_load(entries: list[ps.Entry]) -> None:
    with pytest.raises(LedgerError) as info:
        Account(WALLETS, entries)
    assert info.value.code == "bad_entry"


def test_wallets_given_as_one_string_are_refused() -> None:
    with pytest.raises(LedgerError):
        Account(wallets="PERI")  # type: ignore[arg-type]


def test_an_account_comes_back_equal_through_json(account: Account) -> None:
    import json

    account.pay("RESTAURATION", D("20.00"), date(2024, 8, 26), reference="CB-1")
    meal = account.debit("RESTAURATION", D("3.60"), date(2024, 9, 2), "Repas")
    account.correct(meal.number, date(2024, 9, 3))
    again = Account.from_dict(json.loads(json.dumps(account.to_dict())))
    assert again.entries == account.entries
    assert again.balance() == account.balance()


def test_a_history_comes_back_equal_through_json() -> None:
    # « Historique » (p. 13): what a portal sends to the browser or caches.
    import json

    account = ps.Account(("RESTAURATION",))
    account.pay("RESTAURATION", D("30.00"), date(2024, 8, 26), reference="PAYFIP-1")
    meal = account.debit("RESTAURATION", D("2.84"), date(2024, 9, 2), "Repas du 02/09")
    account.correct(meal.number, date(2024, 9, 4), "Absence justifiée")
    history = account.history(date(2024, 9, 15))
    assert ps.History.from_dict(json.loads(json.dumps(history.to_dict()))) == history
    broken = {**history.to_dict(), "end": "2024-07-01"}
    with pytest.raises(ps.InvalidData) as info:
        ps.History.from_dict(broken)
    assert info.value.path == "end"


def test_an_amount_beyond_the_maximum_is_a_typed_error_not_a_decimal_crash() -> None:
    # Money is Decimal euros to the cent, at most MAX_AMOUNT either way (issue 11).
    from periscolaire.money import MAX_AMOUNT, money, total

    for huge in (D("1E+26"), D("1000000000.01"), -D("1E+30"), 10**30):
        with pytest.raises(ps.InvalidAmount) as info:
            money(huge)
        assert info.value.code == "too_large"
    assert money(MAX_AMOUNT) == D("1000000000.00")
    account = ps.Account(("RESTAURATION",))
    with pytest.raises(ps.InvalidAmount):
        account.pay("RESTAURATION", D("1E+26"), date(2024, 9, 2), reference="X")
    assert account.entries == ()
    # Sums are exact: many maximal amounts and one cent add up to the cent.
    assert total([MAX_AMOUNT] * 1000 + [D("0.01")]) == D("1000000000000.01")


@pytest.mark.parametrize("email", ["a@x.fr\r\nBcc: b@y.fr", ".a@x.fr", "pas une adresse"])
def test_a_receipt_address_is_checked_like_every_address(email: str) -> None:
    # « le ticket de paiement [...] à la première adresse mail » (p. 3): no header injection.
    account = ps.Account(("RESTAURATION",))
    with pytest.raises(ps.PeriscolaireError):
        account.pay("RESTAURATION", D("10.00"), date(2024, 9, 2), reference="CB-1", email=email)
    assert account.entries == ()
    receipt = account.pay(
        "RESTAURATION", D("10.00"), date(2024, 9, 2), reference="CB-1", email="a@x.fr; b@y.fr"
    )
    assert receipt.to == "a@x.fr"


# -- every operation records what it was asked, no more (p. 13-14) ----------------------------


def test_a_credit_and_a_debit_record_their_wallet_day_amount_label_and_reference(account: Account) -> None:
    # A refund decided by the régie credits a porte-monnaie; an entry keeps what it was given.
    refund = account.credit("EXTRASCOLAIRE", D("7.50"), date(2024, 9, 20), "Avoir sortie", "AV-3")
    assert (refund.number, refund.wallet, refund.on, refund.amount, refund.kind) == (
        1,
        "EXTRASCOLAIRE",
        date(2024, 9, 20),
        D("7.50"),
        EntryKind.CREDIT,
    )
    assert (refund.label, refund.reference, refund.reverses) == ("Avoir sortie", "AV-3", None)
    debit = account.debit("PERISCOLAIRE", D("1.40"), date(2024, 9, 21), "Accueil", "ACC-1")
    assert (debit.number, debit.amount, debit.label, debit.reference) == (2, D("-1.40"), "Accueil", "ACC-1")
    # Without a reference, none is invented.
    assert account.credit("RESTAURATION", D("1.00"), date(2024, 9, 22), "Geste").reference == ""
    assert account.debit("RESTAURATION", D("1.00"), date(2024, 9, 22), "Frais").reference == ""
    assert account.balance() == D("7.50") - D("1.40")


@pytest.mark.parametrize("operation", ["credit", "debit", "pay"])
@pytest.mark.parametrize("amount", [D(0), D("-1.00"), D("0.001")])
def test_an_operation_names_its_refused_amount(account: Account, operation: str, amount: D) -> None:
    if operation == "pay":
        with pytest.raises(ps.PeriscolaireError) as info:
            account.pay("RESTAURATION", amount, date(2024, 9, 2), reference="CB-1")
    else:
        with pytest.raises(ps.PeriscolaireError) as info:
            getattr(account, operation)("RESTAURATION", amount, date(2024, 9, 2), "x")
    assert re.search(r"\bamount\b", str(info.value))
    assert account.entries == ()


def test_an_unknown_porte_monnaie_is_named_with_the_known_ones(account: Account) -> None:
    with pytest.raises(ps.UnknownWallet) as info:
        account.debit("CANTINE", D("1.00"), date(2024, 9, 1), "x")
    assert "'CANTINE'" in str(info.value)
    assert "PERISCOLAIRE, RESTAURATION, EXTRASCOLAIRE" in str(info.value)


def test_a_payment_provider_calling_twice_records_one_payment(account: Account) -> None:
    # The same reference and amount again is the same payment, its receipt again.
    first = account.pay("RESTAURATION", D("35.00"), date(2024, 8, 26), reference="PAYFIP-1")
    again = account.pay("RESTAURATION", D("35.00"), date(2024, 8, 27), reference="PAYFIP-1")
    assert again.entry == first.entry
    assert len(account.entries) == 1
    assert account.balance() == D("35.00")
    for wallet, amount in (("RESTAURATION", D("36.00")), ("PERISCOLAIRE", D("35.00"))):
        with pytest.raises(LedgerError) as info:
            account.pay(wallet, amount, date(2024, 8, 27), reference="PAYFIP-1")
        assert info.value.code == "payment_reference_reused"
        assert "'PAYFIP-1'" in str(info.value)
        assert "35.00" in str(info.value)
    assert len(account.entries) == 1


@pytest.mark.parametrize("reference", ["", "  ", None])
def test_a_payment_without_a_reference_is_refused(account: Account, reference: object) -> None:
    with pytest.raises(LedgerError) as info:
        account.pay("RESTAURATION", D("5.00"), date(2024, 9, 2), reference=reference)  # type: ignore[arg-type]
    assert info.value.code == "missing_reference"
    assert "référence" in str(info.value)
    assert account.entries == ()


def test_a_correction_by_default_says_what_it_cancels(account: Account) -> None:
    meal = account.debit("RESTAURATION", D("3.60"), date(2024, 9, 2), "Repas du 02/09")
    correction = account.correct(meal.number, date(2024, 9, 3))
    assert correction.label == "Annulation de l'écriture 1 (Repas du 02/09)"
    # It keeps the reference of what it corrects (the reservation of a consumption).
    meal = account.debit("RESTAURATION", D("3.60"), date(2024, 9, 4), "Repas du 04/09", "paolo/R/2024-09-04")
    assert account.correct(meal.number, date(2024, 9, 5)).reference == "paolo/R/2024-09-04"
    assert (correction.wallet, correction.kind, correction.on) == (
        "RESTAURATION",
        EntryKind.CORRECTION,
        date(2024, 9, 3),
    )


@pytest.mark.parametrize("number", [0, 2, 99, True, "1", None])
def test_only_an_entry_of_the_ledger_is_corrected(account: Account, number: object) -> None:
    account.debit("RESTAURATION", D("3.60"), date(2024, 9, 2), "Repas")
    with pytest.raises(LedgerError) as info:
        account.correct(number, date(2024, 9, 3))  # type: ignore[arg-type]
    assert info.value.code == "unknown_entry"
    assert repr(number) in str(info.value)
    assert len(account.entries) == 1


def test_a_refused_correction_names_the_entry(account: Account) -> None:
    meal = account.debit("RESTAURATION", D("3.60"), date(2024, 9, 2), "Repas")
    correction = account.correct(meal.number, date(2024, 9, 3))
    for number in (meal.number, correction.number):
        with pytest.raises(LedgerError) as info:
            account.correct(number, date(2024, 9, 4))
        assert f"L'écriture {number} " in str(info.value)


# -- porte-monnaies of an account -------------------------------------------------------------


@pytest.mark.parametrize("wallets", [(), ("",), (" ",), ("A", "A"), ("A", 1), "PERI", 3, b"AB"])
def test_an_account_has_distinct_named_porte_monnaies(wallets: object) -> None:
    with pytest.raises(LedgerError) as info:
        Account(wallets=wallets)  # type: ignore[arg-type]
    assert info.value.code == "bad_wallets"
    assert str(info.value).startswith("Porte-monnaies invalides : ")
    assert repr(tuple(wallets) if isinstance(wallets, tuple) else wallets) in str(info.value)


def test_an_account_is_rebuilt_from_entries_only() -> None:
    with pytest.raises(ps.InvalidArgument) as info:
        Account(WALLETS, [{"number": 1}])  # type: ignore[list-item]
    assert "{'number': 1}" in str(info.value)


# -- debiting consumptions: the price of each reservation, each once ---------------------------


def test_each_consumption_is_debited_at_its_own_price_with_its_own_label(account: Account) -> None:
    reservations = [
        ps.Reservation("paolo", "RESTAURATION", date(2024, 9, 2), "F1", "accepted"),
        ps.Reservation("lina", "RESTAURATION", date(2024, 9, 2), "F1", "accepted"),  # justified absence
        ps.Reservation("paolo", "MERCREDI", date(2024, 9, 4), "F1", "accepted"),
        ps.Reservation("lina", "RESTAURATION", date(2024, 9, 3), "F1", "accepted"),
    ]
    prices = {"paolo": D("2.84"), "lina": D(0)}
    wallet_of = {"RESTAURATION": "RESTAURATION", "MERCREDI": "EXTRASCOLAIRE"}
    account.pay("RESTAURATION", D("10.00"), date(2024, 8, 26), reference="CB-1")

    def price(r: ps.Reservation) -> D:
        return prices[r.child] * (3 if r.activity == "MERCREDI" else 1)

    debited = account.debit_consumptions(
        reservations, today=date(2024, 9, 9), price=price, wallet_of=wallet_of
    )
    assert [(e.number, e.wallet, e.on, e.amount, e.label, e.reference, e.kind) for e in debited] == [
        (
            2,
            "RESTAURATION",
            date(2024, 9, 2),
            D("-2.84"),
            "RESTAURATION 02/09/2024 (paolo)",
            "paolo/RESTAURATION/2024-09-02",
            EntryKind.CONSUMPTION,
        ),
        (
            3,
            "EXTRASCOLAIRE",
            date(2024, 9, 4),
            D("-8.52"),
            "MERCREDI 04/09/2024 (paolo)",
            "paolo/MERCREDI/2024-09-04",
            EntryKind.CONSUMPTION,
        ),
    ]
    assert [account.balance(w) for w in WALLETS] == [D(0), D("7.16"), D("-8.52")]


def test_a_host_label_names_each_consumption(account: Account) -> None:
    reservations = _reservations()
    debited = account.debit_consumptions(
        reservations,
        today=date(2024, 9, 9),
        price=lambda r: D("2.84"),
        wallet_of={"RESTAURATION": "RESTAURATION"},
        label=lambda r: f"Repas de {r.child} le {r.day:%d/%m}",
    )
    assert [e.label for e in debited] == [
        "Repas de paolo le 02/09",
        "Repas de paolo le 03/09",
        "Repas de paolo le 05/09",
    ]
    assert [e.number for e in debited] == [1, 2, 3]


def test_a_negative_price_stops_the_run_and_names_the_reservation(account: Account) -> None:
    with pytest.raises(LedgerError) as info:
        account.debit_consumptions(
            _reservations(),
            today=date(2024, 9, 9),
            price=lambda r: D("-2.84"),
            wallet_of={"RESTAURATION": "RESTAURATION"},
        )
    assert info.value.code == "negative_price"
    assert "paolo/RESTAURATION/2024-09-02" in str(info.value)
    assert account.entries == ()


@pytest.mark.parametrize("bad", [D("2.845"), D("NaN"), "2.84", [D("2.84")]])
def test_a_bad_price_is_named_as_the_price(account: Account, bad: object) -> None:
    with pytest.raises(ps.InvalidAmount) as info:
        account.debit_consumptions(
            _reservations(),
            today=date(2024, 9, 9),
            price=lambda r: bad,
            wallet_of={"RESTAURATION": "RESTAURATION"},  # type: ignore[arg-type,return-value]
        )
    assert "(price)" in str(info.value)
    assert account.entries == ()


def test_an_activity_without_porte_monnaie_is_named(account: Account) -> None:
    with pytest.raises(ps.UnknownWallet) as info:
        account.debit_consumptions(
            _reservations(), today=date(2024, 9, 9), price=lambda r: D("1.00"), wallet_of={}
        )
    assert "'RESTAURATION'" in str(info.value)
    with pytest.raises(ps.UnknownWallet):
        account.debit_consumptions(
            _reservations(),
            today=date(2024, 9, 9),
            price=lambda r: D("1.00"),
            wallet_of={"RESTAURATION": "CANTINE"},
        )
    assert account.entries == ()


def test_the_day_of_a_debit_run_is_checked(account: Account) -> None:
    with pytest.raises(ps.InvalidArgument) as info:
        account.history("2024-09-02")  # type: ignore[arg-type]
    assert str(info.value).startswith("today :")
    with pytest.raises(ps.InvalidArgument) as info:
        account.debit_consumptions(_reservations(), today="2024-09-09", price=lambda r: D(1), wallet_of={})  # type: ignore[arg-type]
    assert str(info.value).startswith("today :")
    # The day of an operation is named « on », the argument that gives it.
    for operation in (account.credit, account.debit):
        with pytest.raises(ps.InvalidArgument) as info:
            operation("RESTAURATION", D("1.00"), "2024-09-02", "x")  # type: ignore[arg-type]
        assert str(info.value).startswith("on :")
    assert account.entries == ()


# -- appending decided entries (a store's unit of work) ---------------------------------------


def test_a_batch_is_appended_whole_or_not_at_all(account: Account) -> None:
    account.pay("RESTAURATION", D("10.00"), date(2024, 8, 26), reference="CB-1")
    meal = ps.Entry(2, "RESTAURATION", date(2024, 9, 2), D("-3.60"), "consumption", "Repas", "p/R/2024-09-02")
    payment = ps.Entry(3, "RESTAURATION", date(2024, 9, 3), D("5.00"), "payment", "Paiement", "CB-2")
    assert account.append([meal, payment]) == (meal, payment)
    assert account.entries[1:] == (meal, payment)
    assert account.balance() == D("11.40")
    # A batch whose second entry breaks a rule leaves the ledger as it was, consumptions and
    # payments included.
    meal2 = ps.Entry(
        4, "RESTAURATION", date(2024, 9, 4), D("-3.60"), "consumption", "Repas", "p/R/2024-09-04"
    )
    twice = ps.Entry(5, "RESTAURATION", date(2024, 9, 4), D("5.00"), "payment", "Paiement", "CB-2")
    with pytest.raises(LedgerError) as info:
        account.append([meal2, twice])
    assert info.value.code == "bad_entry"
    assert account.entries[1:] == (meal, payment)
    assert account.balance() == D("11.40")
    assert account.consumed(["p/R/2024-09-04", "p/R/2024-09-02"]) == {"p/R/2024-09-02"}
    assert account.payment("CB-2") == payment
    assert account.next_number() == 4
    assert account.append([meal2]) == (meal2,)
    with pytest.raises(ps.InvalidArgument) as info:
        account.append([meal2.to_dict()])  # type: ignore[list-item]
    assert "'number': 4" in str(info.value)
    assert len(account.entries) == 4


# -- a ledger read back breaks no rule --------------------------------------------------------


def _e(
    number: int,
    amount: str,
    kind: str,
    reference: str = "",
    reverses: int | None = None,
    wallet: str = "RESTAURATION",
) -> ps.Entry:
    return ps.Entry(number, wallet, date(2024, 9, 2), D(amount), kind, "x", reference, reverses)


def test_a_ledger_using_every_rule_is_read_back() -> None:
    entries = [
        _e(1, "0.50", "payment", "CB-1"),
        _e(2, "0.50", "credit", "AV-1"),
        _e(3, "-0.50", "consumption", "p/R/2024-09-02"),
        _e(4, "-0.50", "debit", "p/R/2024-09-02"),
        _e(5, "0.50", "correction", "p/R/2024-09-02", reverses=3),  # a correction keeps the reference
        _e(6, "-0.50", "correction", "CB-1", reverses=1),
    ]
    account = Account(WALLETS, entries)
    assert account.entries == tuple(entries)
    assert account.balance() == D("0.00")
    assert account.balance("RESTAURATION") == D("0.00")


@pytest.mark.parametrize(
    ("entries", "number"),
    [
        ([_e(1, "0.00", "credit")], 1),
        ([_e(1, "0.00", "payment", "CB-1")], 1),
        ([_e(1, "0.00", "debit")], 1),
        ([_e(1, "0.50", "consumption", "p/R/2024-09-02")], 1),
        ([_e(1, "1.00", "payment", "")], 1),
        ([_e(1, "1.00", "credit", wallet="CANTINE")], 1),
        ([_e(1, "-1.00", "consumption", "p/R"), _e(2, "-1.00", "consumption", "p/R")], 2),
        ([_e(1, "1.00", "correction")], 1),
        (
            [
                _e(1, "-1.00", "debit"),
                _e(2, "1.00", "correction", reverses=1),
                _e(3, "-1.00", "correction", reverses=2),
            ],
            3,
        ),
        (
            [
                _e(1, "-1.00", "debit"),
                _e(2, "1.00", "correction", reverses=1),
                _e(3, "1.00", "correction", reverses=1),
            ],
            3,
        ),
        ([_e(1, "-1.00", "debit"), _e(2, "2.00", "correction", reverses=1)], 2),
        ([_e(1, "-1.00", "debit"), _e(2, "1.00", "correction", reverses=1, wallet="PERISCOLAIRE")], 2),
        ([_e(1, "-1.00", "debit"), _e(2, "1.00", "credit", reverses=1)], 2),
    ],
)
def test_a_stored_entry_that_breaks_a_rule_is_refused_and_named(entries: list[ps.Entry], number: int) -> None:
    with pytest.raises(LedgerError) as info:
        Account(WALLETS, entries)
    assert info.value.code == "bad_entry"
    assert str(info.value).startswith(f"Écriture {number} : ")


def test_the_smallest_amounts_are_valid_stored_entries() -> None:
    account = Account(
        WALLETS, [_e(1, "0.01", "credit"), _e(2, "-0.01", "debit"), _e(3, "0.99", "payment", "CB-1")]
    )
    assert account.balance() == D("0.99")


# -- a stored ledger: every bad value is named by its key ----------------------------------------


GOOD = {
    "number": 1,
    "wallet": "RESTAURATION",
    "on": "2024-09-02",
    "amount": "10.00",
    "kind": "payment",
    "label": "Paiement",
    "reference": "CB-1",
    "reverses": None,
}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("number", "1"),
        ("wallet", ""),
        ("on", "02/09/2024"),
        ("amount", 10),
        ("amount", "dix"),
        ("amount", "10.005"),
        ("kind", "gift"),
        ("label", 3),
        ("reference", None),
        ("reverses", "1"),
    ],
)
def test_a_bad_stored_value_is_named_by_its_path(key: str, value: object) -> None:
    broken = {**GOOD, key: value}
    with pytest.raises(ps.InvalidData) as info:
        Account.from_dict({"wallets": list(WALLETS), "entries": [GOOD | {"reference": "CB-0"}, broken]})
    assert info.value.path == f"entries[1].{key}"
    assert str(info.value).startswith(f"entries[1].{key} : ")
    assert repr(value) in str(info.value)
    with pytest.raises(ps.InvalidData) as info:
        ps.Entry.from_dict(broken)
    assert info.value.path == key
    with pytest.raises(ps.InvalidData) as info:
        ps.History.from_dict(
            {"start": "2024-09-01", "end": "2024-10-15", "consumptions": [], "payments": [broken]}
        )
    assert info.value.path == f"payments[0].{key}"


@pytest.mark.parametrize("key", ["number", "wallet", "on", "amount", "kind"])
def test_a_missing_stored_value_is_named_by_its_path(key: str) -> None:
    broken = {k: v for k, v in GOOD.items() if k != key}
    with pytest.raises(ps.InvalidData) as info:
        Account.from_dict({"wallets": list(WALLETS), "entries": [broken]})
    assert info.value.path == f"entries[0].{key}"


def test_a_stored_entry_without_label_nor_reference_has_empty_ones() -> None:
    stored = {k: v for k, v in GOOD.items() if k not in ("label", "reference", "reverses")} | {
        "kind": "credit"
    }
    entry = ps.Entry.from_dict(stored)
    assert (entry.label, entry.reference, entry.reverses) == ("", "", None)


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"wallets": "RESTAURATION", "entries": []}, "wallets"),
        ({"wallets": ["RESTAURATION", ""], "entries": []}, "wallets[1]"),
        ({"wallets": ["RESTAURATION"], "entries": {}}, "entries"),
        ({"wallets": ["RESTAURATION"], "entries": [[]]}, "entries[0]"),
    ],
)
def test_a_bad_stored_account_is_named_by_its_path(data: object, path: str) -> None:
    with pytest.raises(ps.InvalidData) as info:
        Account.from_dict(data)
    assert info.value.path == path


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"start": "1/9/2024", "end": "2024-10-15", "consumptions": [], "payments": []}, "start"),
        ({"start": "2024-09-01", "end": 20241015, "consumptions": [], "payments": []}, "end"),
        ({"start": "2024-09-01", "end": "2024-10-15", "consumptions": {}, "payments": []}, "consumptions"),
        ({"start": "2024-09-01", "end": "2024-10-15", "consumptions": [], "payments": [[]]}, "payments[0]"),
    ],
)
def test_a_bad_stored_history_is_named_by_its_path(data: object, path: str) -> None:
    with pytest.raises(ps.InvalidData) as info:
        ps.History.from_dict(data)
    assert info.value.path == path


def test_a_history_of_one_day_is_read_back() -> None:
    history = ps.History(date(2024, 9, 1), date(2024, 9, 1), (), ())
    assert ps.History.from_dict(history.to_dict()) == history
    with pytest.raises(ps.InvalidData) as info:
        ps.History.from_dict({**history.to_dict(), "end": "2024-08-31"})
    assert "précède" in str(info.value)


def test_an_entry_kind_and_day_are_checked_when_built() -> None:
    with pytest.raises(LedgerError) as info:
        ps.Entry(1, "RESTAURATION", date(2024, 9, 2), D("1.00"), "gift", "x")
    assert "'gift'" in str(info.value)
    assert "payment, consumption, credit, debit, correction" in str(info.value)
    with pytest.raises(TypeError) as type_info:
        ps.Entry(1, "RESTAURATION", "2024-09-02", D("1.00"), "credit", "x")  # type: ignore[arg-type]
    assert "'2024-09-02'" in str(type_info.value)
    with pytest.raises(ps.InvalidAmount) as amount_info:
        ps.Entry(1, "RESTAURATION", date(2024, 9, 2), D("1.001"), "credit", "x")
    assert "(amount)" in str(amount_info.value)


# -- estimates: the arguments named, « Calculer vos réservations jusqu'au » per porte-monnaie ------


def test_the_estimate_of_each_porte_monnaie_counts_up_to_the_given_date(account: Account) -> None:
    account.pay("RESTAURATION", D("5.00"), date(2024, 8, 26), reference="CB-1")
    costs = [
        ("RESTAURATION", date(2024, 9, 12), D("2.84")),
        ("RESTAURATION", date(2024, 10, 3), D("2.84")),
        ("EXTRASCOLAIRE", date(2024, 9, 30), D("8.00")),
        ("EXTRASCOLAIRE", date(2024, 10, 2), D("8.00")),
    ]
    result = account.estimate(costs, until=date(2024, 9, 30))
    assert result.wallets["RESTAURATION"].reservations == D("2.84")
    assert result.wallets["EXTRASCOLAIRE"].reservations == D("8.00")
    assert result.total.reservations == D("10.84")
    assert result.total.suggested_payment == D("5.84")


@pytest.mark.parametrize(
    ("costs", "until", "named"),
    [
        ([("RESTAURATION", "2024-09-12", D("1.00"))], None, "day"),
        ([("RESTAURATION", date(2024, 9, 12), D("1.001"))], None, "(cost)"),
        ([], "2024-09-30", "until"),
        ([["RESTAURATION", date(2024, 9, 12), D("1.00")]], None, "['RESTAURATION'"),
        ([("RESTAURATION", date(2024, 9, 12))], None, "('RESTAURATION'"),
        (None, None, "None"),
    ],
)
def test_a_bad_account_estimate_argument_is_named(
    account: Account, costs: object, until: object, named: str
) -> None:
    with pytest.raises(ps.PeriscolaireError) as info:
        account.estimate(costs, until=until)  # type: ignore[arg-type]
    assert re.search(rf"(?<!\w){re.escape(named)}(?!\w)", str(info.value))


@pytest.mark.parametrize(
    ("balance", "costs", "until", "named"),
    [
        (D("1.001"), [], None, "(balance)"),
        (D(0), [("2024-09-12", D("1.00"))], None, "day"),
        (D(0), [(date(2024, 9, 12), D("1.001"))], None, "(cost)"),
        (D(0), [], "2024-09-30", "until"),
        (D(0), [[date(2024, 9, 12), D("1.00")]], None, "[datetime.date"),
        (D(0), [(date(2024, 9, 12),)], None, "(datetime.date"),
        (D(0), 3, None, "3"),
    ],
)
def test_a_bad_estimate_argument_is_named(balance: D, costs: object, until: object, named: str) -> None:
    with pytest.raises(ps.PeriscolaireError) as info:
        estimate(balance, costs, until=until)  # type: ignore[arg-type]
    assert re.search(rf"(?<!\w){re.escape(named)}(?!\w)", str(info.value))


# -- history: the bounds of the two months, corrections with what they correct -------------------


def test_history_bounds_are_the_first_of_the_previous_month_and_today(account: Account) -> None:
    for on, reference in (
        (date(2024, 8, 31), "CB-1"),
        (date(2024, 9, 1), "CB-2"),
        (date(2024, 10, 15), "CB-3"),
        (date(2024, 10, 16), "CB-4"),
    ):
        account.pay("RESTAURATION", D("1.00"), on, reference=reference)
    assert [e.reference for e in account.history(date(2024, 10, 15)).payments] == ["CB-2", "CB-3"]


def test_a_corrected_payment_is_shown_with_the_payments(account: Account) -> None:
    payment = account.pay("RESTAURATION", D("20.00"), date(2024, 10, 1), reference="CB-1").entry
    correction = account.correct(payment.number, date(2024, 10, 2), "Paiement rejeté")
    history = account.history(date(2024, 10, 15))
    assert history.payments == (payment, correction)
    assert history.consumptions == ()


def test_history_rows_default_to_consumptions(account: Account) -> None:
    account.debit("RESTAURATION", D("2.84"), date(2024, 10, 2), "Repas 02/10", "R-1")
    account.pay("RESTAURATION", D("20.00"), date(2024, 10, 1), reference="CB-1")
    history = account.history(date(2024, 10, 15))
    row = ("2024-10-02", "RESTAURATION", "Repas 02/10", "-2.84", "R-1")
    assert history.rows() == history.rows("consumptions") == [ps.History.HEADER, row]
    assert (
        history.to_csv()
        == "date;porte-monnaie;libellé;montant;référence\n2024-10-02;RESTAURATION;Repas 02/10;-2.84;R-1\n"
    )
    with pytest.raises(ValueError, match="'refunds'"):
        history.rows("refunds")


def test_the_ledger_rules_plan_entries_without_writing_them(account: Account) -> None:
    # A store holding the account's lock asks the rules for the entry, then appends it.
    from periscolaire.wallet import plan_correction, plan_credit, plan_debit

    credit = plan_credit(account, "RESTAURATION", D("5.00"), date(2024, 9, 2), "Avoir")
    debit = plan_debit(account, "RESTAURATION", D("3.60"), date(2024, 9, 2), "Repas")
    assert (credit.reference, debit.reference) == ("", "")
    assert account.entries == ()
    account.append([debit])
    correction = plan_correction(account, debit.number, date(2024, 9, 3))
    assert correction.label == "Annulation de l'écriture 1 (Repas)"
    assert (correction.number, correction.amount, correction.reverses) == (2, D("3.60"), 1)
