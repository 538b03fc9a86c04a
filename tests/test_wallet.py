"""The prepaid family account (guide p. 10, 13-14)."""

from __future__ import annotations

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
