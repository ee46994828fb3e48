"""The forms of the operations console: list filters and the actions' forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional
from wtforms.validators import ValidationError as FieldError

from mallconsole.core import states
from mallconsole.services.orders import returns
from mallconsole.web.forms import last_day_after_first
from mallconsole.web.lists import ListFilters

# --- returns (RMA) --------------------------------------------------------------------------------


class ReturnFilters(ListFilters):
    """Filters of the return queue; ``queue`` (the tab) travels along as a hidden field."""

    queue = HiddenField(default="pending")
    status = SelectField(
        "State",
        choices={"": "Any state", **{s: returns.status_label(s) for s in states.RETURN_REQUEST}},
        default="",
    )
    reason = SelectField(
        "Reason", choices={"": "Any reason", **returns.reason_choices()}, default=""
    )
    store = StringField("Store", description="A store's name or code")
    # The days are the reader's: see ``web.forms.with_periods``.
    since = DateField("Requested from", validators=[Optional()])
    until = DateField("Requested to", validators=[Optional()])

    def validate_queue(self, field):
        if field.data not in returns.TAB_KEYS:
            raise FieldError("Choose one of the tabs.")

    def validate_store(self, field):
        if len((field.data or "").strip()) > 100:
            raise FieldError("Enter at most 100 characters of the store's name or code.")

    def validate_until(self, field):
        last_day_after_first(self.since, field)


class ReturnDecisionForm(FlaskForm):
    """Approve a return line by line (the units of each line are ``approve_<item id>``)."""

    reason = TextAreaField(
        "Why are units refused?",
        render_kw={"rows": 2},
        description="Needed when fewer units are approved than asked: the agent tells the "
        "customer.",
    )
    version = HiddenField()


class ReturnRejectForm(FlaskForm):
    reason = TextAreaField(
        "Why is the return rejected?",
        render_kw={"rows": 2},
        description="The agent sees it on the case, and tells the customer.",
    )
    version = HiddenField()


class ReturnShipmentForm(FlaskForm):
    carrier = SelectField("Carrier", choices=[], validate_choice=False)
    tracking_number = StringField(
        "Tracking number", description="As the carrier's label prints it, e.g. RT0001234567"
    )
    version = HiddenField()


class ReturnStepForm(FlaskForm):
    """A move that needs nothing but the version seen (received; closed, never sent back)."""

    version = HiddenField()


class InspectionForm(FlaskForm):
    """One line's inspection (each line's form has its own prefix)."""

    condition = SelectField(
        "Condition", choices={"": "Choose…", **returns.CONDITION_LABELS}, validate_choice=False
    )
    outcome = RadioField("Inspection", choices=returns.OUTCOME_LABELS, validate_choice=False)
    refundable_amount = StringField("Amount to refund")
    note = TextAreaField("Note (optional)", render_kw={"rows": 2})
    version = HiddenField()


class ReturnCloseForm(FlaskForm):
    """Close after inspection; the restock location of each store is a ``location`` field."""

    version = HiddenField()
