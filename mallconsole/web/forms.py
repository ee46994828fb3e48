"""Shared form helpers: a service's field errors onto the form that sent the values, and the
checks list filters share (a period, an amount range)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from wtforms.validators import ValidationError as FieldError

from mallconsole.core import timezones
from mallconsole.core.errors import DomainError
from mallconsole.core.locale import current_reader

# Amount filters go no higher.
MAX_FILTER_AMOUNT = Decimal("1000000000")


def apply_errors(form, error: DomainError) -> None:
    """Show ``error.field_errors`` next to their fields; errors for fields the form does not
    have (or the error's message when it names no field) go to ``form.form_errors``."""
    unplaced = []
    for name, messages in error.field_errors.items():
        if name in form:
            form[name].errors = [*form[name].errors, *messages]
        else:
            unplaced.extend(messages)
    if not error.field_errors:
        unplaced.append(error.message)
    form.form_errors = [*getattr(form, "form_errors", []), *unplaced]


def last_day_after_first(since, until) -> None:
    """Refuse a period whose last day comes before its first (a filter or export period)."""
    if until.data and since.data and until.data < since.data:
        raise FieldError("The last day comes before the first: swap them.")


def check_store_words(field) -> None:
    """Refuse a store filter (a store's name or code) longer than any store's."""
    if len((field.data or "").strip()) > 100:
        raise FieldError("Enter at most 100 characters of the store's name or code.")


def check_filter_amount(field) -> None:
    """Refuse an amount filter that is not a plain amount (``250``, ``99.50``) in range."""
    text = (field.data or "").strip()
    if not text:
        return
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise FieldError("Enter an amount like 250 or 99.50.") from None
    if not value.is_finite() or value < 0 or value > MAX_FILTER_AMOUNT:
        raise FieldError("Enter an amount like 250 or 99.50.")


def filter_amounts(filters: dict) -> dict:
    """The filters with ``min_amount`` and ``max_amount`` (checked by ``check_filter_amount``)
    read as ``Decimal``."""
    filters = dict(filters)
    for name in ("min_amount", "max_amount"):
        if name in filters:
            filters[name] = Decimal(filters[name].strip())
    return filters


def reader_zone() -> str:
    """The zone whose days date filters mean: the signed-in reader's."""
    return current_reader().zone


def with_periods(given: dict) -> dict:
    """The filters with their days (``since``, ``until``, both included) read as days of the
    reader's zone: ``since`` becomes the first moment of that day, ``until`` the first moment
    after its day."""
    filters = dict(given)
    since, until = timezones.day_range(
        filters.pop("since", None), filters.pop("until", None), reader_zone()
    )
    if since:
        filters["since"] = since
    if until:
        filters["until"] = until
    return filters
