"""Which refusals a screen answers itself; any other goes to the error page, as elsewhere.

``refusals(page, form)`` answers every refused action (409, 422) with ``page``. A screen with a
place only for some refusals (the form's errors, a stale write's notice) names them::

    with refusals(on_screen(page, ValidationError, StaleRecord), form):
        validated(form)
        service.change(...)

A refusal of another kind (a state the record can no longer leave, a request already waiting
for approval) is raised on, after the rollback, to the error handler: the error page, or for
htmx the message in ``#messages``.
"""

from __future__ import annotations

from collections.abc import Callable

from mallconsole.core.errors import DomainError
from mallconsole.web.refusals import Refusal


def on_screen(page: Callable[[Refusal], object], *kinds: type[DomainError]):
    """``page`` for refusals of ``kinds``; the error page for any other."""

    def answer(refusal: Refusal):
        if isinstance(refusal.error, kinds):
            return page(refusal)
        raise refusal.error  # not this screen's to say: the error handler's

    return answer
