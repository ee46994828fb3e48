"""Shared form helpers: a service's field errors onto the form that sent the values."""

from __future__ import annotations

from mallconsole.core.errors import DomainError


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
