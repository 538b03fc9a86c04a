"""Money: ``Decimal`` euros, quantized to cents; floats are refused.

>>> from decimal import Decimal
>>> money(Decimal("12.5"))
Decimal('12.50')
>>> money(3)
Decimal('3.00')
>>> money(12.5)
Traceback (most recent call last):
...
periscolaire.errors.InvalidAmount: Montant invalide (amount) : un Decimal est attendu, pas un float (12.5).
>>> money(Decimal("1.005"))
Traceback (most recent call last):
...
periscolaire.errors.InvalidAmount: Montant invalide (amount) : au plus deux décimales (1.005).

An amount is at most :data:`MAX_AMOUNT` (a billion euros) either way: far
beyond any family's account, and small enough that every sum a ledger makes
is exact (:func:`total` computes in an explicit context that refuses to
round).

>>> money(Decimal("1E+26"))
Traceback (most recent call last):
...
periscolaire.errors.InvalidAmount: Montant invalide (amount) : au plus 1000000000.00 € (1E+26).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    Inexact,
    InvalidOperation,
    Overflow,
    Rounded,
    localcontext,
)
from typing import Any

from periscolaire.errors import InvalidAmount

__all__ = ["CENT", "MAX_AMOUNT", "ZERO", "money", "to_cents", "total"]

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
#: The largest amount, either way, of an entry, a price or a payment.
MAX_AMOUNT = Decimal("1000000000.00")
#: Sums of amounts: 40 digits, and any rounding is an error (never a silent one).
_EXACT = Context(prec=40, traps=[InvalidOperation, Inexact, Rounded, Overflow])


def _too_large(value: Decimal, name: str) -> InvalidAmount:
    return InvalidAmount(f"Montant invalide ({name}) : au plus {MAX_AMOUNT} € ({value}).", code="too_large")


def money(value: Any, name: str = "amount") -> Decimal:
    """``value`` as euros quantized to the cent, or :class:`InvalidAmount`.

    Accepted: a finite ``Decimal`` with at most two decimals, or an ``int``.
    Refused: ``float`` (binary fractions are not cents), ``bool``, strings,
    NaN, infinities, and sub-cent amounts (rounding is the caller's decision,
    see :func:`to_cents`).
    """
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidAmount(
                f"Montant invalide ({name}) : {value} n'est pas un nombre fini.", code="not_finite"
            )
        if abs(value) > MAX_AMOUNT:
            raise _too_large(value, name)
        quantized = value.quantize(CENT, rounding=ROUND_HALF_EVEN)
        if quantized != value:
            raise InvalidAmount(
                f"Montant invalide ({name}) : au plus deux décimales ({value}).", code="sub_cent"
            )
        return quantized
    if isinstance(value, int) and not isinstance(value, bool):
        if abs(value) > MAX_AMOUNT:
            raise _too_large(Decimal(value), name)
        return Decimal(value).quantize(CENT)
    if isinstance(value, float):
        raise InvalidAmount(
            f"Montant invalide ({name}) : un Decimal est attendu, pas un float ({value!r}).",
            code="float_amount",
        )
    raise InvalidAmount(
        f"Montant invalide ({name}) : un Decimal est attendu, reçu {type(value).__name__} ({value!r}).",
        code="not_decimal",
    )


def to_cents(value: Decimal, rounding: str = ROUND_HALF_EVEN) -> Decimal:
    """Round a computed ``Decimal`` to the cent (banker's rounding unless told).

    >>> to_cents(Decimal("2.675")), to_cents(Decimal("2.665"))
    (Decimal('2.68'), Decimal('2.66'))
    """
    if isinstance(value, float) or not isinstance(value, Decimal):
        raise InvalidAmount(f"Montant invalide : un Decimal est attendu, reçu {value!r}.", code="not_decimal")
    if not value.is_finite():
        raise InvalidAmount(f"Montant invalide : {value} n'est pas un nombre fini.", code="not_finite")
    if abs(value) > MAX_AMOUNT:
        raise _too_large(value, "amount")
    return value.quantize(CENT, rounding=rounding)


def total(amounts: Iterable[Decimal]) -> Decimal:
    """The exact sum of amounts (cents), in an explicit context: a sum that
    would have to be rounded is an :class:`InvalidAmount`, never a wrong
    balance.

    >>> total([Decimal("0.10")] * 3)
    Decimal('0.30')
    """
    with localcontext(_EXACT):
        result = ZERO
        try:
            for amount in amounts:
                result += amount
        except (Inexact, Rounded, Overflow, InvalidOperation):
            raise InvalidAmount(
                "Somme de montants non représentable exactement.", code="inexact_sum"
            ) from None
    return result
