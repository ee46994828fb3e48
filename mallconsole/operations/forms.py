"""The forms of the operations console: list filters and the actions' forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional
from wtforms.validators import ValidationError as FieldError

from mallconsole.core import states
from mallconsole.core.money import CURRENCIES
from mallconsole.extensions import db
from mallconsole.services.fulfilment import carriers, shipments
from mallconsole.services.orders import cancellations, order_list, returns
from mallconsole.web.forms import check_filter_amount, check_store_words, last_day_after_first
from mallconsole.web.lists import ListFilters

# --- orders ---------------------------------------------------------------------------------------


class OrderFilters(ListFilters):
    """Filters of the order list; ``queue`` (the tab) travels along as a hidden field."""

    queue = HiddenField(default="all")
    q = StringField("Order number", description="The whole number: ORD-20261121-000042")
    status = SelectField(
        "Status",
        choices={
            "": "Any status",
            **{s: states.label(order_list.MACHINE, s) for s in states.ORDER},
        },
        default="",
    )
    business_status = SelectField(
        "Business status",
        choices={"": "Any", **{s: states.in_words(s) for s in states.ORDER_BUSINESS_STATUSES}},
        default="",
    )
    store = StringField("Store", description="A store's name or code")
    since = DateField("Placed from", validators=[Optional()])
    until = DateField("Placed to", validators=[Optional()])
    min_amount = StringField("Total from", description="The order's total, at least")
    max_amount = StringField("Total up to", description="The order's total, at most")
    currency = SelectField(
        "Currency", choices={"": "Any currency", **{c: c for c in CURRENCIES}}, default=""
    )
    country = StringField("Ships to", description="A country code: US, DE, KR")

    def validate_country(self, field):
        code = (field.data or "").strip()
        if code and not (len(code) == 2 and code.isascii() and code.isalpha()):
            raise FieldError("Enter a two-letter country code, like US or DE.")
        field.data = code.upper()

    def validate_queue(self, field):
        if field.data not in order_list.TAB_KEYS:
            raise FieldError("Choose one of the tabs.")

    def validate_q(self, field):
        if len((field.data or "").strip()) > 64:
            raise FieldError("An order number is at most 64 characters.")

    def validate_store(self, field):
        check_store_words(field)

    def validate_until(self, field):
        last_day_after_first(self.since, field)

    def validate_min_amount(self, field):
        check_filter_amount(field)

    def validate_max_amount(self, field):
        check_filter_amount(field)


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
        check_store_words(field)

    def validate_until(self, field):
        last_day_after_first(self.since, field)


class OrderStatusForm(FlaskForm):
    """Hold, review or release an order: why, and the version the manager saw."""

    reason = TextAreaField(
        "Why?", render_kw={"rows": 2}, description="Kept in the order's status history."
    )
    version = HiddenField()


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


# --- cancellations --------------------------------------------------------------------------------


class CancellationFilters(ListFilters):
    """Filters of the cancellation queue; ``queue`` (the tab) travels along as a hidden field."""

    queue = HiddenField(default="pending")
    reason = SelectField(
        "Reason", choices={"": "Any reason", **cancellations.reason_choices()}, default=""
    )
    store = StringField("Store", description="A store's name or code")
    since = DateField("Requested from", validators=[Optional()])
    until = DateField("Requested to", validators=[Optional()])

    def validate_queue(self, field):
        if field.data not in cancellations.TAB_KEYS:
            raise FieldError("Choose one of the tabs.")

    def validate_store(self, field):
        check_store_words(field)

    def validate_until(self, field):
        last_day_after_first(self.since, field)


class CancellationStepForm(FlaskForm):
    """Approve or execute, on the version of the request seen."""

    version = HiddenField()


class CancellationRejectForm(FlaskForm):
    reason = TextAreaField(
        "Why is it rejected?", render_kw={"rows": 2},
        description="Support sees it on the case and tells the customer.",
    )  # fmt: skip
    version = HiddenField()


# --- shipments ------------------------------------------------------------------------------------


class ShipmentFilters(ListFilters):
    """Filters of the shipment list; ``queue`` (the tab) travels along as a hidden field."""

    queue = HiddenField(default="all")
    status = SelectField(
        "Status",
        choices={"": "Any status", **{s: shipments.status_label(s) for s in states.SHIPMENT}},
        default="",
    )
    carrier = SelectField("Carrier", choices={}, default="")
    store = StringField("Store", description="A store's name or code")
    since = DateField("Created from", validators=[Optional()])
    until = DateField("Created to", validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.carrier.choices = {"": "Any carrier", **dict(carriers.choices(db.session))}

    def validate_queue(self, field):
        if field.data not in shipments.QUEUE_KEYS:
            raise FieldError("Choose one of the tabs.")

    def validate_store(self, field):
        check_store_words(field)

    def validate_until(self, field):
        last_day_after_first(self.since, field)


class ShipmentEventForm(FlaskForm):
    """A carrier event recorded by hand, on the version of the shipment seen."""

    event = SelectField(
        "What the carrier reported",
        choices={"": "Choose…", **{e: shipments.event_label(e) for e in states.SHIPMENT_EVENTS}},
        default="",
        validate_choice=False,  # the service says what is wrong, next to the field
    )
    location = StringField("Where (optional)", description="A depot, a city: where it was seen.")
    description = TextAreaField(
        "What happened",
        render_kw={"rows": 2},
        description="Who you spoke to and what they said. Kept with the event.",
    )
    customer_visible = BooleanField("Show this event to the customer")
    version = HiddenField()


class StatusCorrectionForm(FlaskForm):
    """A status correction: the state the shipment is really in, and why."""

    status = SelectField("Correct status", choices={}, default="", validate_choice=False)
    reason = TextAreaField(
        "Why is the status wrong?",
        render_kw={"rows": 2},
        description="Kept in the shipment's history.",
    )
    version = HiddenField()

    def offer(self, targets) -> StatusCorrectionForm:
        """Offer the states the machine allows from the shipment's current one."""
        self.status.choices = {"": "Choose…", **{t: shipments.status_label(t) for t in targets}}
        return self


class CarrierAssignForm(FlaskForm):
    """The carrier and tracking number of a shipment not yet picked up."""

    carrier = SelectField("Carrier", choices={}, default="", validate_choice=False)
    tracking_number = StringField("Tracking number", description="As printed on the label.")
    version = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.carrier.choices = {
            "": "Choose…",
            **dict(carriers.choices(db.session, active_only=True)),
        }


# --- carriers -------------------------------------------------------------------------------------


class CarrierFilters(ListFilters):
    q = StringField("Carrier", description="Name or code")
    state = SelectField("State", choices=carriers.STATE_CHOICES, default="")

    def validate_q(self, field):
        if len((field.data or "").strip()) > 100:
            raise FieldError("Enter at most 100 characters of the carrier's name or code.")


class CarrierForm(FlaskForm):
    """A carrier's fields; ``version`` is the one edited (empty for a new carrier)."""

    name = StringField("Name", description="As staff and customers know it: DHL Express.")
    code = StringField("Code", description="Lower case, for integrations: dhl-express.")
    tracking_url_template = StringField(
        "Tracking address",
        description=f"The carrier's tracking page, with {carriers.PLACEHOLDER} where the number "
        f"goes: https://www.dhl.com/track?id={carriers.PLACEHOLDER}",
        render_kw={"class": "url-field", "spellcheck": "false", "autocomplete": "off"},
    )
    phone = StringField("Customer service phone (optional)")
    version = HiddenField()


class CarrierStateForm(FlaskForm):
    """Deactivate (why), reactivate or delete a carrier, on the version seen."""

    reason = TextAreaField("Why?", render_kw={"rows": 2}, description="Kept in its history.")
    version = HiddenField()
