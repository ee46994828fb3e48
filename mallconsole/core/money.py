"""Money and numbers as the reader reads them: currency digits, formatting, exact amounts.

Formatting comes from CLDR through Babel (currency digits, separators, symbol placement), never
from hand-written rules. Money is ``Decimal`` (or ``int``); a float is refused. An amount is
shown exactly: one with more decimals than its currency uses (``Decimal("12000.5")`` yen) keeps
them, so a wrong amount is visible, never rounded away.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

from babel import Locale
from babel import numbers as babel_numbers

from mallconsole.core.locale import current_reader
from mallconsole.core.text import EMPTY


def exact_number(value) -> Decimal:
    """``value`` as a finite Decimal; floats (inexact) and text are refused."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TypeError(
            f"amounts and numbers are Decimal or int, never {type(value).__name__}: {value!r}"
        )
    value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"{value} is not an amount")
    # No "-$0.00": a negative zero reads as zero.
    return value.copy_abs() if value.is_zero() else value


def currency_digits(currency: str) -> int:
    """The minor-unit digits of ``currency`` per CLDR (KRW, JPY: 0; USD, EUR: 2; BHD: 3)."""
    return babel_numbers.get_currency_precision(currency.upper())


@cache
def _code_pattern(locale: str) -> str:
    """The locale's currency pattern with the ISO code in place of the symbol, spaced."""
    pattern = Locale.parse(locale).currency_formats["standard"].pattern
    pattern = pattern.split(";")[0].replace("¤", "¤¤")
    # CLDR's currency spacing: a code is kept apart from the digits by a no-break space.
    pattern = re.sub(r"¤¤(?=[#0])", "¤¤\xa0", pattern)
    return re.sub(r"(?<=[#0])¤¤", "\xa0¤¤", pattern)


def format_money(amount, currency: str, locale: str | None = None, *, code: bool = False) -> str:
    """``$1,234.56`` (en_US), ``1.234,56 €`` (de_DE), ``₩12,000`` (ko_KR); exact, never rounded.

    ``code=True`` shows the ISO code instead of the symbol (``USD 1,234.56``, ``1.234,56 EUR``).
    """
    if amount is None:
        return EMPTY
    locale = locale or current_reader().locale
    currency = currency.upper()
    return babel_numbers.format_currency(
        exact_number(amount),
        currency,
        format=_code_pattern(locale) if code else None,
        locale=locale,
        currency_digits=True,
        decimal_quantization=False,
    )


def format_number(value, locale: str | None = None) -> str:
    """``12,345.6`` (en_US), ``12.345,6`` (de_DE): every decimal the value has, none added."""
    if value is None:
        return EMPTY
    return babel_numbers.format_decimal(
        exact_number(value), locale=locale or current_reader().locale, decimal_quantization=False
    )
