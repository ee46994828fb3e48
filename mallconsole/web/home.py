"""The home page every role console starts with: its queues, counted live."""

from __future__ import annotations

from collections.abc import Callable

from mallconsole.core.roles import Permission
from mallconsole.extensions import db
from mallconsole.web.authz import require
from mallconsole.web.htmx import render
from mallconsole.web.templating import add_area_link


def add_home(bp, permission: Permission, queues: Callable, **extra: Callable) -> Callable:
    """Register ``<bp>.home`` at ``/<prefix>/``: ``queues(session)`` and any ``extra`` lists.

    htmx polling (``X-Background: 1``) gets only the ``queues`` block.
    """

    @bp.get("/", endpoint="home")
    @require(permission)
    def home():
        context = {name: load(db.session) for name, load in extra.items()}
        return render(f"{bp.name}/home.html", block="queues", queues=queues(db.session), **context)

    home.__doc__ = f"The {bp.name} home: {queues.__doc__}"
    add_area_link(bp, "Home", "home", position=0)
    return home
