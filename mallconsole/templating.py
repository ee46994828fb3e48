"""What every template can use: times in the reader's zone, the navigation of their roles."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from .authz import ROLE_BLUEPRINTS
from .services.timezones import format_moment


def local_time(moment) -> str:
    """A stored UTC time in the signed-in staff member's zone, with the zone shown."""
    return format_moment(moment, getattr(current_user, "time_zone", None))


def navigation() -> list[dict]:
    """One entry per role the staff member holds, in role order."""
    if not current_user.is_authenticated:
        return []
    return [
        {
            "label": role.label,
            "endpoint": role.home_endpoint,
            "current": request.blueprint == ROLE_BLUEPRINTS[role],
        }
        for role in current_user.roles
    ]


def install(app) -> None:
    app.add_template_filter(local_time, "localtime")

    @app.context_processor
    def shell_context():
        return {"navigation": navigation}
