"""What every template can use: money, numbers and times as the reader reads them (their
locale and zone: ``core/locale.py``, ``core/money.py``, ``web/display.py``), and the navigation
of their roles."""

from __future__ import annotations

from flask import current_app, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from mallconsole.core import locale, states
from mallconsole.core.money import format_money, format_number
from mallconsole.core.people import display_name
from mallconsole.core.roles import ROLE_BLUEPRINTS, Permission, Role
from mallconsole.web import display, history, marks

# Areas with an approvals inbox: the navigation shows how many requests wait there.
INBOX_PERMISSIONS = {
    Role.FINANCE_MANAGER: Permission.APPROVALS_FINANCE,
    Role.SYSTEM_ADMIN: Permission.APPROVALS_ADMIN,
}


def local_time(moment) -> str:
    """A stored UTC time in the reader's zone and locale, with the zone shown."""
    return display.format_local_time(moment)


def person(who, nobody: str = "Nobody") -> Markup:
    """``{{ person(entry.actor, 'System') }}``: a staff member by their display name, their email
    on hover; ``who`` is anything with ``name`` and ``email`` (a user, a ``core.people.Person``),
    ``nobody`` what is said when there is no one (the console itself). A template global, so a
    fragment of a page draws people as the whole page does."""
    name, email = getattr(who, "name", None), getattr(who, "email", None)
    if not who or not (name or email):
        return escape(nobody)
    hover = Markup(' title="{}"').format(email) if email else ""
    return Markup('<span class="person"{}>{}</span>').format(hover, display_name(name, email))


def counted(words: str, n) -> str:
    """``{{ caption|counted(n) }}``: a plural noun as ``n`` of it reads ("Refund requests" → one
    "Refund request", "Policies" → one "Policy"); more or none stay plural."""
    if n != 1:
        return words
    head, _, last = words.rpartition(" ")
    if last.endswith("ies"):
        last = last[:-3] + "y"
    elif last.endswith("s") and not last.endswith("ss"):
        last = last[:-1]
    return f"{head} {last}".strip()


def money(amount, currency: str, code: bool = True) -> str:
    """``{{ refund.amount|money(refund.currency) }}``: ``USD 25.00`` (en), ``25,00 USD`` (de)."""
    return format_money(amount, currency, code=code)


def number(value) -> str:
    """``{{ count|number }}``: digits grouped as the reader expects."""
    return format_number(value)


def ago(moment, style: str = "long") -> str:
    """``{{ case.created_at|ago }}``: ``35 minutes ago``, ``in 2 hours``."""
    return display.format_relative(moment, style=style)


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
    held = getattr(current_user, "permissions", ())
    return [
        {
            "label": role.label,
            "endpoint": role.home_endpoint,
            "current": request.blueprint == ROLE_BLUEPRINTS[role],
            # The approvals badge of the area, loaded and refreshed in the background.
            "badge": f"{ROLE_BLUEPRINTS[role]}.approvals_badge"
            if INBOX_PERMISSIONS.get(role) in held
            else None,
        }
        for role in current_user.roles
    ]


# The screens of each area, in the order its sub-navigation shows them (``add_area_link``).
_AREA_LINKS: dict[str, list[tuple[int, str, str, str | None, tuple[str, ...]]]] = {}


def add_area_link(
    bp,
    label: str,
    endpoint: str,
    permission: str | None = None,
    *,
    also: tuple[str, ...] = (),
    position: int = 50,
) -> None:
    """Show ``label`` in the sub-navigation of ``bp``'s area, linking to ``endpoint`` (a name
    inside the blueprint, e.g. ``"refund_list"``). It is marked current on that endpoint and on
    those named in ``also`` (the screens it leads to: ``("refund_detail",)``); it is shown only
    to holders of ``permission`` (default: everyone who may enter the area). Links are shown
    by ``position`` (the home is 0, the approvals inbox 90), then in the order added."""
    names = tuple(f"{bp.name}.{e}" for e in (endpoint, *also))
    links = _AREA_LINKS.setdefault(bp.name, [])
    links.append((position, label, names[0], permission, names))
    links.sort(key=lambda link: link[0])


def area_navigation() -> list[dict]:
    """The sub-navigation of the area the current page is in (none outside an area, and none
    for staff without the area's role, who see its refusal page)."""
    area_roles = [role for role, name in ROLE_BLUEPRINTS.items() if name == request.blueprint]
    if area_roles and area_roles[0] not in getattr(current_user, "roles", ()):
        return []
    links = _AREA_LINKS.get(request.blueprint or "", [])
    held = getattr(current_user, "permissions", ())
    return [
        {"label": label, "url": url_for(endpoint), "current": request.endpoint in names}
        for _, label, endpoint, permission, names in links
        if (permission is None or permission in held) and endpoint in current_app.view_functions
    ]


def screen_url(endpoint: str, **values) -> str | None:
    """The address of a screen, or None when the console has no such screen (another role's
    console, say): links to other screens are drawn only where there is one."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


def install(app) -> None:
    app.add_template_filter(local_time, "localtime")
    app.add_template_filter(duration, "duration")
    app.add_template_filter(display.format_day, "localdate")
    app.add_template_filter(display.format_month, "localmonth")
    app.add_template_filter(money, "money")
    app.add_template_filter(counted, "counted")
    app.add_template_filter(number, "number")
    app.add_template_filter(ago, "ago")
    app.add_template_filter(display.machine_time, "machine_time")
    app.add_template_filter(display.format_file_size, "file_size")
    app.add_template_filter(states.in_words, "words")
    app.add_template_filter(history.recorded_value, "recorded")
    app.add_template_filter(history.entry_rows, "history_rows")
    app.add_template_filter(history.decision_rows, "decision_rows")
    app.add_template_filter(display_name, "person_name")
    app.add_template_filter(display.format_period, "localperiod")
    # A global, not a context variable: macros imported without context use it too.
    app.jinja_env.globals["person"] = person
    app.jinja_env.globals.update(marks.GLOBALS)

    @app.context_processor
    def shell_context():
        return {
            "navigation": navigation,
            "area_navigation": area_navigation,
            "can": can,
            "current_reader": locale.current_reader,
            "screen_url": screen_url,
        }
