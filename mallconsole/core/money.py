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

from babel import numbers as babel_numbers

from mallconsole.core.locale import babel_locale, current_reader
from mallconsole.core.text import EMPTY

# The currencies the mall trades in: what lists filter by and payouts are composed in.
CURRENCIES = ("USD", "EUR", "KRW", "JPY")


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
    pattern = babel_locale(locale).currency_formats["standard"].pattern
    pattern = pattern.split(";")[0].replace("¤", "¤¤")
    # CLDR's currency spacing: a code is kept apart from the digits by a no-break space.
    pattern = re.sub(r"¤¤(?=[#0])", "¤¤\xa0", pattern)
    return re.sub(r"(?<=[#0])¤¤", "\xa0¤¤", pattern)


def format_money(
    amount, currency: str, locale: str | None = None, *, code: bool = False, signed: bool = False
) -> str:
    """``$1,234.56`` (en_US), ``1.234,56 €`` (de_DE), ``₩12,000`` (ko_KR); exact, never rounded.

    ``code=True`` shows the ISO code instead of the symbol (``USD 1,234.56``, ``1.234,56 EUR``):
    how screens, messages and the audit trail write amounts. ``signed=True`` marks an amount
    above zero with the locale's plus sign (a change: ``+USD 25.00``).
    """
    if amount is None:
        return EMPTY
    locale = locale or current_reader().locale
    currency = currency.upper()
    value = exact_number(amount)
    plus = babel_numbers.get_plus_sign_symbol(locale) if signed and value > 0 else ""
    return plus + babel_numbers.format_currency(
        value,
        currency,
        format=_code_pattern(locale) if code else None,
        locale=babel_locale(locale),
        currency_digits=True,
        decimal_quantization=False,
    )


def format_stored_amount(raw, currency: str | None) -> str | None:
    """An amount as a payload or audit event stores it (text: ``"25.00"``, ``"+25.00"`` for a
    change) written as the reader writes money (``USD 25.00``, ``+USD 25.00``); ``None`` when
    ``raw`` is no finite number or there is no currency to write it in."""
    if raw is None or currency is None or isinstance(raw, bool):
        return None
    try:
        amount = Decimal(str(raw))
    except ArithmeticError:
        return None
    if not amount.is_finite():
        return None
    return format_money(amount, str(currency), code=True, signed=str(raw).startswith("+"))


def format_number(value, locale: str | None = None) -> str:
    """``12,345.6`` (en_US), ``12.345,6`` (de_DE): every decimal the value has, none added."""
    if value is None:
        return EMPTY
    return babel_numbers.format_decimal(
        exact_number(value),
        locale=babel_locale(locale or current_reader().locale),
        decimal_quantization=False,
    )


# --- reading an amount a person typed ----------------------------------------------------------

# The largest amount a person may type: 15 digits, what every money column holds.
AMOUNT_CEILING = Decimal(10) ** 15
# Spaces a person may type where the locale groups digits with a (narrow) no-break space.
_SPACES = (" ", "\xa0", "\u202f")


class AmountError(ValueError):
    """What was typed is not an amount of the currency; ``message`` says the expected form."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def amount_example(currency: str, locale: str | None = None) -> str:
    """How the reader writes an amount of ``currency``: ``1,234.56`` (en_US), ``1.234,56``
    (de_DE), ``1,234`` (KRW)."""
    digits = currency_digits(currency)
    example = Decimal(f"1234.{'5678'[:digits]}") if digits else Decimal(1234)
    return format_number(example, locale or current_reader().locale)


def parse_amount(raw, currency: str, locale: str | None = None) -> Decimal | None:
    """The amount a person typed (None when nothing was), read in their locale.

    The locale decides the decimal and grouping marks, grouping is checked strictly
    (``1,0`` in English is refused, not read as 10 or 1.0); only ASCII digits, no exponent,
    no finer part than ``currency`` has. Raises ``AmountError`` saying the expected form.
    Range rules (above zero, a ceiling) are the caller's.
    """
    if isinstance(raw, float):
        raise TypeError("amounts are Decimal or text, never float")
    if isinstance(raw, int | Decimal):
        return _within_digits(exact_number(raw), currency)
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None
    locale = locale or current_reader().locale
    decimal_mark = babel_numbers.get_decimal_symbol(locale)
    group_mark = babel_numbers.get_group_symbol(locale)
    expected = expected_amount(currency, locale)
    if group_mark in _SPACES:
        text = "".join(group_mark if c in _SPACES else c for c in text)
    body = text[1:] if text.startswith("-") else text
    # Babel would hand exponents and other scripts' digits to Decimal: refuse them first.
    if not body or any(c not in "0123456789" and c not in (decimal_mark, group_mark) for c in body):
        raise AmountError(expected)
    try:
        value = babel_numbers.parse_decimal(text, locale, strict=True)
    except babel_numbers.NumberFormatError:
        raise AmountError(expected) from None
    return _within_digits(value, currency)


def expected_amount(currency: str, locale: str | None = None) -> str:
    """What to type: ``Enter an amount in USD with at most 2 decimals, like 1,234.56.``"""
    digits, example = currency_digits(currency), amount_example(currency, locale)
    if digits == 0:
        return f"Enter a whole amount in {currency.upper()}, like {example}."
    return f"Enter an amount in {currency.upper()} with at most {digits} decimals, like {example}."


def _within_digits(value: Decimal, currency: str) -> Decimal:
    """``value`` in the currency's minor unit; refused when it holds a finer part (trailing
    zeros, ``25.0000``, are no finer part)."""
    step = Decimal(1).scaleb(-currency_digits(currency))
    if value.is_finite() and value.copy_abs() >= AMOUNT_CEILING:
        raise AmountError(f"Enter an amount under {format_number(AMOUNT_CEILING)}.")
    if not value.is_finite() or value != value.quantize(step):
        raise AmountError(expected_amount(currency))
    return value.quantize(step)
