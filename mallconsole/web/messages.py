"""Messages for the person acting: shown only when the request's changes were kept.

A view calls ``notify("Refund approved.")`` instead of Flask's ``flash``. The message waits on
the request until the commit hook (``web/transactions.py``) knows the outcome:

* committed, htmx response with HTML: appended as an out-of-band swap into ``#messages``, so
  it shows with this response, not one page late;
* committed, htmx response without a body to carry it (204, ``HX-Redirect``): the
  ``HX-Trigger`` event ``console:messages``, which ``static/app.js`` shows;
* committed, a redirect: kept in the session for the next page (Flask's flashed messages);
* committed, a whole page: the page shows it already (``base.html`` renders pending ones);
* rolled back (any status of 400 or more, or a refused commit): dropped, never shown.
"""

from __future__ import annotations

import json

from flask import flash, g, render_template

from mallconsole.web.htmx import is_htmx

CATEGORIES = ("success", "info", "error")


def notify(text: str, category: str = "success") -> None:
    """Show ``text`` to the person acting if, and only if, this request commits."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown message category {category!r}")
    g.setdefault("pending_messages", []).append((category, text))


def pending() -> list[tuple[str, str]]:
    """This request's messages, for the page being rendered (marks them as shown)."""
    messages = g.get("pending_messages", [])
    if messages:
        g.messages_rendered = True
    return list(messages)


def discard() -> None:
    """Forget this request's messages: its changes were rolled back."""
    g.pop("pending_messages", None)
    g.pop("messages_rendered", None)


def deliver(response):
    """Attach this request's messages to ``response`` (after a successful commit)."""
    messages = g.pop("pending_messages", [])
    rendered = g.pop("messages_rendered", False)
    if not messages:
        return response
    if is_htmx():
        if "HX-Redirect" in response.headers or response.status_code in (204, 286):
            _trigger(response, messages)
        elif response.mimetype == "text/html" and not response.is_streamed:
            fragment = render_template("_messages_oob.html", messages=messages)
            response.set_data(response.get_data() + fragment.encode())
        else:
            _trigger(response, messages)
    elif response.status_code in (301, 302, 303, 307, 308) or not rendered:
        for category, text in messages:
            flash(text, category)
    return response


def _trigger(response, messages) -> None:
    events = json.loads(response.headers.get("HX-Trigger", "{}") or "{}")
    if not isinstance(events, dict):
        events = {str(events): None}
    events["console:messages"] = {"messages": [{"category": c, "text": t} for c, t in messages]}
    response.headers["HX-Trigger"] = json.dumps(events)


def install(app) -> None:
    """Templates get ``pending_messages()`` next to Flask's ``get_flashed_messages()``."""

    @app.context_processor
    def message_context():
        return {"pending_messages": pending}
