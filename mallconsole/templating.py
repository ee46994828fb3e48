"""What every template can use: times in the reader's zone, the navigation of their roles."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from .authz import ROLE_BLUEPRINTS
from .services.timezones import format_moment


def local_time(moment) -> str:
    """A stored UTC time in the signed-in staff member's zone, with the zone shown."""
    return format_moment(moment, getattr(current_user, "time_zone", None))


def duration(delta) -> str:
    """A run's length in words: ``0.4 s``, ``12 s``, ``3 min 5 s``, ``2 h 10 min``."""
    if delta is None:
        return "—"
    seconds = delta.total_seconds()
    if seconds < 10:
        return f"{seconds:.1f} s"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def can(permission: str) -> bool:
    """Whether the signed-in staff member holds ``permission`` (to show an action's button)."""
    return permission in getattr(current_user, "permissions", ())


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
    app.add_template_filter(duration, "duration")

    @app.context_processor
    def shell_context():
        return {"navigation": navigation, "can": can}
