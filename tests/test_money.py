"""Money rules: Decimal euros in cents, floats refused, a billion at most,
sums never rounded. Every refusal has its code and names what was refused."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

import periscolaire as ps
from periscolaire.money import CENT, MAX_AMOUNT, ZERO, money, to_cents, total

D = Decimal


def _refusal(call: object, *args: object) -> ps.InvalidAmount:
    with pytest.raises(ps.InvalidAmount) as info:
        call(*args)  # type: ignore[operator]
    return info.value


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (D("NaN"), "not_finite"),
        (D("Infinity"), "not_finite"),
        (D("-Infinity"), "not_finite"),
        (MAX_AMOUNT + CENT, "too_large"),
        (-MAX_AMOUNT - CENT, "too_large"),
        (1_000_000_001, "too_large"),
        (D("0.001"), "sub_cent"),
        (12.5, "float_amount"),
        (True, "not_decimal"),
        ("12.50", "not_decimal"),
        (None, "not_decimal"),
    ],
)
def test_money_refuses_what_is_not_cents_with_its_code_naming_the_argument(value: object, code: str) -> None:
    error = _refusal(money, value, "price")
    assert error.code == code
    assert "(price)" in error.message
    assert repr(value) in error.message or str(value) in error.message


def test_a_billion_euros_either_way_is_the_largest_amount() -> None:
    assert money(MAX_AMOUNT) == MAX_AMOUNT
    assert money(-MAX_AMOUNT) == -MAX_AMOUNT
    assert money(1_000_000_000) == MAX_AMOUNT
    assert money(-1_000_000_000) == -MAX_AMOUNT
    assert to_cents(MAX_AMOUNT) == MAX_AMOUNT
    assert "1000000000.00 €" in _refusal(money, 1_000_000_001).message


def test_money_keeps_the_value_in_cents() -> None:
    assert money(D("2.5")) == D("2.50")
    assert str(money(D("2.5"))) == "2.50"
    assert str(money(0)) == "0.00"
    assert money(D("-0.01")) == -CENT


def test_to_cents_rounds_half_to_even_unless_told() -> None:
    assert to_cents(D("2.665")) == D("2.66")
    assert to_cents(D("2.675")) == D("2.68")
    assert to_cents(D("2.665"), ROUND_HALF_UP) == D("2.67")
    assert to_cents(D("-2.665"), ROUND_HALF_UP) == D("-2.67")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (2.665, "not_decimal"),
        ("2.665", "not_decimal"),
        (3, "not_decimal"),
        (D("NaN"), "not_finite"),
        (D("-Infinity"), "not_finite"),
        (MAX_AMOUNT + D("0.001"), "too_large"),
    ],
)
def test_to_cents_takes_only_a_finite_decimal_of_a_billion_at_most(value: object, code: str) -> None:
    error = _refusal(to_cents, value)
    assert error.code == code
    assert str(value) in error.message
    if code == "too_large":
        assert "(amount)" in error.message


def test_a_total_is_exact_or_refused() -> None:
    assert total([]) == ZERO
    assert total([D("0.10")] * 3) == D("0.30")
    assert total([MAX_AMOUNT, -MAX_AMOUNT, CENT]) == CENT
    # 41 digits would have to be rounded: an error, never a silently wrong balance.
    error = _refusal(total, [D("1E+39"), CENT])
    assert error.code == "inexact_sum"
    assert error.message.startswith("Somme de montants")
