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
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from periscolaire.errors import InvalidAmount

__all__ = ["CENT", "ZERO", "money", "to_cents"]

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


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
        quantized = value.quantize(CENT, rounding=ROUND_HALF_EVEN)
        if quantized != value:
            raise InvalidAmount(
                f"Montant invalide ({name}) : au plus deux décimales ({value}).", code="sub_cent"
            )
        return quantized
    if isinstance(value, int) and not isinstance(value, bool):
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
    return value.quantize(CENT, rounding=rounding)
