"""Forms of the console's shared screens: the global search box and the approvals inbox."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, SearchField, SelectField, TextAreaField
from wtforms.validators import AnyOf, Length

from mallconsole.core import states
from mallconsole.services import approvals
from mallconsole.services.customers.search import MAX_LENGTH
from mallconsole.web.lists import ListFilters


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: reading only

    q = SearchField(
        "Search",
        validators=[Length(max=MAX_LENGTH)],
        description="Order, case, RMA, refund or payout number, SKU code, or a customer's "
        "name, email or phone (its last digits).",
    )


# --- the approvals inbox -----------------------------------------------------------------------


def _kind_choices(kinds) -> dict:
    return {"": "Every kind", **{k: approvals.kind_label(k) for k in kinds}}


def approval_filters(kinds):
    """The filter forms of an approvals inbox's two tabs: what waits (of the ``kinds`` its
    area decides) and the requests I made."""

    class WaitingFilters(ListFilters):
        kind = SelectField("Kind", choices=_kind_choices(kinds), default="")

    class MineFilters(ListFilters):
        kind = SelectField("Kind", choices=_kind_choices(states.ADMIN_ACTION_NAMES), default="")
        status = SelectField(
            "State",
            choices={
                "": "Any state",
                **{s: approvals.STATUS_LABELS[s] for s in states.ADMIN_ACTION},
            },
            default="",
        )

    return WaitingFilters, MineFilters


class DecisionForm(FlaskForm):
    """Approve or reject a request, based on the revision the person saw."""

    decision = HiddenField(
        validators=[AnyOf(states.MAKER_CHECKER_DECISIONS, message="Choose approve or reject.")]
    )
    reason = TextAreaField(
        "Reason", validators=[Length(max=approvals.REASON_MAX)], render_kw={"rows": 2}
    )
    revision = HiddenField()
