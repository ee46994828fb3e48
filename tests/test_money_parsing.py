"""One way to read an amount a person typed (``core/money.parse_amount``): their locale's marks,
strict grouping, ASCII digits only, no exponent, no finer part than the currency has."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mallconsole.core.locale import SUPPORTED_LOCALES
from mallconsole.core.money import (
    AmountError,
    currency_digits,
    format_number,
    format_stored_amount,
    parse_amount,
)


@pytest.mark.parametrize(
    ("typed", "locale", "currency", "read"),
    [
        ("0,50", "de_DE", "USD", Decimal("0.50")),
        ("1.234,56", "de_DE", "EUR", Decimal("1234.56")),
        ("1,234.56", "en_US", "USD", Decimal("1234.56")),
        ("1 234,5", "fr_FR", "EUR", Decimal("1234.50")),
        ("12,000", "ko_KR", "KRW", Decimal("12000")),
        ("25.0000", "en_US", "USD", Decimal("25.00")),
        ("  7 ", "en_US", "USD", Decimal("7.00")),
    ],
)
def test_an_amount_reads_in_the_readers_locale(typed, locale, currency, read):
    assert parse_amount(typed, currency, locale) == read


@pytest.mark.parametrize(
    ("typed", "locale"),
    [
        ("1e1", "en_US"),
        ("1E-2", "en_US"),
        ("١٠", "en_US"),  # Arabic-Indic digits
        ("１0", "en_US"),  # a full-width digit
        ("1,0", "en_US"),  # ambiguous grouping
        ("0,50", "en_US"),
        ("1234.5", "de_DE"),  # a grouping mark where the decimal mark belongs
        ("12.3.4", "en_US"),
        ("NaN", "en_US"),
        ("Infinity", "en_US"),
        ("--5", "en_US"),
        ("5-", "en_US"),
        ("0x10", "en_US"),
        ("1_000", "en_US"),
    ],
)
def test_anything_else_is_refused_naming_the_expected_form(typed, locale):
    with pytest.raises(AmountError) as refused:
        parse_amount(typed, "USD", locale)
    assert "like 1" in refused.value.message
    example = "1.234,56" if locale == "de_DE" else "1,234.56"
    assert example in refused.value.message


def test_no_finer_part_than_the_currency_has():
    with pytest.raises(AmountError, match="at most 2 decimals"):
        parse_amount("0.001", "USD", "en_US")
    with pytest.raises(AmountError, match="whole amount in KRW"):
        parse_amount("10.5", "KRW", "en_US")
    with pytest.raises(AmountError, match="at most 3 decimals"):
        parse_amount("1.0001", "BHD", "en_US")


def test_an_amount_past_fifteen_digits_is_refused_not_a_failure():
    with pytest.raises(AmountError, match="under"):
        parse_amount("9" * 40, "USD", "en_US")


def test_nothing_typed_is_none_and_a_float_is_a_mistake():
    assert parse_amount("", "USD", "en_US") is None
    assert parse_amount(None, "USD", "en_US") is None
    with pytest.raises(TypeError):
        parse_amount(1.5, "USD", "en_US")


CURRENCIES = ("USD", "EUR", "KRW", "JPY", "BHD")


@st.composite
def amounts(draw):
    currency = draw(st.sampled_from(CURRENCIES))
    digits = currency_digits(currency)
    minor = draw(st.integers(min_value=-(10**14), max_value=10**14))
    return Decimal(minor).scaleb(-digits), currency


@settings(max_examples=300, deadline=None)
@given(amount=amounts(), locale=st.sampled_from(SUPPORTED_LOCALES))
def test_an_amount_formatted_for_a_reader_reads_back_the_same(amount, locale):
    value, currency = amount
    assert parse_amount(format_number(value, locale), currency, locale) == value


@pytest.mark.parametrize(
    ("raw", "currency", "written"),
    [
        ("25.00", "usd", "USD\xa025.00"),
        ("+25.00", "USD", "+USD\xa025.00"),
        ("-5", "USD", "-USD\xa05.00"),
        ("not a number", "USD", None),
        ("NaN", "USD", None),
        (None, "USD", None),
        (True, "USD", None),
        ("25.00", None, None),
    ],
)
def test_a_stored_amount_is_written_as_money_or_left_to_the_caller(raw, currency, written):
    assert format_stored_amount(raw, currency) == written
