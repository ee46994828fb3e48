"""The small marks every list row draws (a state label, a moment, an amount), written in
Python: they are drawn hundreds of times a page, where a Jinja macro call costs more than the
mark itself. The macro modules export these under their old names
(``{% from "_macros/moments.html" import moment, amount %}``, ``labels.state``, ``st.state``,
``st.said``), so templates call them as before."""

from __future__ import annotations

from markupsafe import Markup, escape

from mallconsole.core import states
from mallconsole.core.money import format_money
from mallconsole.web import display

# One colour meaning per family of stored states, everywhere (SCREENS.md "Visual language").
TONES = {
    **dict.fromkeys(
        ("delivered", "completed", "approved", "executed", "captured", "succeeded", "paid",
         "active", "resolved", "received", "authorized", "won", "passed"),
        "success",
    ),
    **dict.fromkeys(
        ("canceled", "failed", "rejected", "exception", "suspended", "terminated", "lost",
         "voided", "expired"),
        "danger",
    ),
    **dict.fromkeys(
        ("on_hold", "under_review", "pending_second_approval", "delivery_attempted",
         "return_to_sender", "partially_refunded", "refunded", "returned", "withdrawn"),
        "warning",
    ),
    **dict.fromkeys(("closed", "archived", "draft", "paused"), "neutral"),
}  # fmt: skip
NOTHING = Markup('<span class="none">—</span>')


def state_label(text, tone: str = "neutral") -> Markup:
    """``labels.state('Failed', 'danger')``: words in their tone's colour."""
    # escape() and concatenation: Markup.format costs more than the label (marks.py's reason)
    return Markup(f'<span class="state state-{escape(tone)}">{escape(text)}</span>')


def said(key) -> str:
    """A stored code in words: a state's label, else the code with spaces ("picked_up" →
    "Picked up")."""
    text = states.in_words(key)
    return str(key).replace("_", " ").capitalize() if text == key else text


def stored_state(key) -> Markup:
    """``st.state(order.status)``: a stored state as its label, in its family's tone."""
    return state_label(said(key), TONES.get(key, "info"))


def moment(dt, absolute: bool = False) -> Markup:
    """A moment: relative ("35 minutes ago") with the local time on hover (lists), or with
    ``absolute`` the local time with the relative one on hover (record screens)."""
    if dt is None:
        return NOTHING
    local, relative = display.format_local_time(dt), display.format_relative(dt)
    shown, hover = (local, relative) if absolute else (relative, local)
    return Markup(
        f'<time datetime="{escape(display.machine_time(dt))}" title="{escape(hover)}">'
        f"{escape(shown)}</time>"
    )


def amount(value, currency, code: bool = True) -> Markup:
    """Money in a table or header: the currency code always ("USD 1,234.56"), tabular
    figures; ``code=False`` shows the symbol."""
    return Markup(
        f'<span class="money" data-currency="{escape(str(currency).upper())}">'
        f"{escape(format_money(value, currency, code=code))}</span>"
    )


GLOBALS = {
    "mark_state_label": state_label,
    "mark_stored_state": stored_state,
    "mark_said": said,
    "mark_moment": moment,
    "mark_amount": amount,
}
