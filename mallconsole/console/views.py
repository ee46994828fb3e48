"""``/`` and ``/search``."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    get_template_attribute,
    make_response,
    redirect,
    request,
    url_for,
)
from flask_login import current_user

from mallconsole.console import bp
from mallconsole.console.forms import SearchForm
from mallconsole.core.roles import ROLE_BLUEPRINTS, Permission
from mallconsole.extensions import db
from mallconsole.services.customers.search import KINDS_BY_KEY, MIN_LENGTH, search_groups
from mallconsole.services.support import presence
from mallconsole.web.authz import require
from mallconsole.web.htmx import render
from mallconsole.web.security import SMALL_FORM, body_limit


@bp.get("/")
@require(Permission.CONSOLE_USE)
def index():
    """To the home of the signed-in staff member's first role."""
    return redirect(url_for(current_user.home_endpoint))


def screen_url(card) -> str | None:
    """The record's screen in an area of the searcher's own roles, once that console exists."""
    areas = {ROLE_BLUEPRINTS[role] for role in current_user.roles}
    for endpoint, argument in card.screens:
        if endpoint in current_app.view_functions and endpoint.split(".")[0] in areas:
            return url_for(endpoint, **{argument: card.record_id})
    return None


def _search_kind() -> str | None:
    """The one kind of record to page through (``kind=``), or None for five of each."""
    kind = request.args.get("kind") or None
    if kind is not None and kind not in KINDS_BY_KEY:
        abort(400, description="There is no such kind of record to search.")
    return kind


def _groups(term: str, kind: str | None):
    """The matches of ``term`` the searcher may open (of ``kind`` alone, from ``after=``)."""
    return search_groups(
        db.session,
        term,
        permissions=current_user.permissions,
        kind=kind,
        after=request.args.get("after") or None,
    )


@bp.get("/search")
@require(Permission.CONSOLE_USE)
@body_limit(SMALL_FORM)
def search_results():
    """Summary cards of matching records the searcher's roles may open, five of each kind;
    ``kind`` (with the ``after`` cursor of a "more" link) pages through one kind."""
    form = SearchForm(request.args)
    term = (form.q.data or "").strip()
    valid = form.validate()
    kind = _search_kind()
    groups = _groups(term, kind) if valid else []
    return render(
        "console/search.html",
        block="results",
        form=form,
        term=term,
        kind=KINDS_BY_KEY.get(kind),
        groups=groups,
        cards=[card for group in groups for card in group.cards],
        screen_url=screen_url,
        too_short=bool(term) and len(term) < MIN_LENGTH,
        status=200 if valid else 422,
    )


# --- presence: who else has a record open ------------------------------------------------------


@bp.post("/presence/<kind>/<record_id>")
@require(Permission.CONSOLE_USE)
def presence_ping(kind, record_id):
    """Note that the signed-in user has the record open; the line saying who else has.

    Polled every ~10 s with ``X-Background: 1`` (so it does not keep the session alive); the
    form field ``typing=1`` says the user typed since the last poll. Each kind of record needs
    its own permission, checked by the service: the route is shared by every console.
    """
    others = presence.look_in(
        db.session, kind, record_id, actor=current_user.user,
        permissions=current_user.permissions, typing=request.form.get("typing") == "1",
    )  # fmt: skip
    line = get_template_attribute("_macros/presence.html", "presence_line")
    return make_response(line(others))
