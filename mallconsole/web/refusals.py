"""One way to answer a refused action: the screen again, with nothing of the action kept.

A view wraps its service call in ``refusals(page, form)``::

    form = ExecuteForm()
    with refusals(lambda refusal: _detail(refund_id, refusal.status, execute=form), form):
        validated(form)
        outcome = refund_execution.execute(db.session, refund_id, actor=current_user.user)
    notify(outcome.message)
    return redirect(...)

When the service refuses (a ``DomainError``), the request's changes are rolled back first (the
screen is read again as it was before the action), the form gets the refusal's field errors
or, for a stale write (``StaleRecord``), the version it must be based on now, and ``page``
answers with the refusal's status: 422 for a form to correct, 409 for a conflict (with what
changed since, ``refusal.stale``). 403 and 404 go on to the error page, as everywhere else.

A screen with a place only for some refusals (the form's errors, a stale write's notice) names
them, and any other refusal (a state the record can no longer leave, a request already waiting
for approval) goes on, after the rollback, to the error page, or for htmx ``#messages``::

    with refusals(on_screen(page, ValidationError, StaleRecord), form):
        ...
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import abort, make_response

from mallconsole.core.errors import DomainError, ValidationError
from mallconsole.extensions import db
from mallconsole.services.kit.versions import StaleRecord
from mallconsole.web.forms import apply_errors

# Refusals that are not the screen's to answer: the error page says them.
ERROR_PAGE_STATUSES = (403, 404)


class FormInvalid(ValidationError):
    """The form did not validate: its own errors are shown, nothing more is added."""


def validated(form) -> None:
    """Go on only if ``form`` validates (CSRF included); otherwise refuse it with 422."""
    if not form.validate_on_submit():
        raise FormInvalid("Check the form.")


@dataclass(frozen=True)
class Refusal:
    """What ``page`` needs to answer: the status, and for a stale write what changed since."""

    error: DomainError

    @property
    def status(self) -> int:
        return 409 if self.stale is not None else self.error.status

    @property
    def stale(self) -> StaleRecord | None:
        return self.error if isinstance(self.error, StaleRecord) else None

    @property
    def message(self) -> str:
        return self.error.message


def refused(error: DomainError, page: Callable[[Refusal], object], form=None):
    """The answer to ``error``: the request rolled back, ``form`` showing why, ``page``'s
    response with the refusal's status."""
    db.session.rollback()
    refusal = Refusal(error)
    if form is not None:
        if refusal.stale is not None and "version" in form:
            form.version.data = refusal.stale.current_version
        elif not isinstance(error, FormInvalid):
            if error.field_errors or not form.errors:
                apply_errors(form, error)
    return page(refusal)


@contextmanager
def refusals(page: Callable[[Refusal], object], form=None) -> Iterator[None]:
    """Answer a ``DomainError`` raised inside the block with ``refused`` (see the module)."""
    try:
        yield
    except DomainError as error:
        if error.status in ERROR_PAGE_STATUSES:
            raise
        abort(_response(refused(error, page, form), error.status))


def _response(answer, status: int):
    response = make_response(answer)
    if response.status_code < 400:  # a page that forgot the status still refuses
        response.status_code = status
    return response


def on_screen(page: Callable[[Refusal], object], *kinds: type[DomainError]):
    """``page`` for refusals of ``kinds``; the error page for any other."""

    def answer(refusal: Refusal):
        if isinstance(refusal.error, kinds):
            return page(refusal)
        raise refusal.error  # not this screen's to say: the error handler's

    return answer
