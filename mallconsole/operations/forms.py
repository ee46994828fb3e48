"""The forms of the operations console: list filters and the actions' forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional
from wtforms.validators import ValidationError as FieldError

from mallconsole.core import states
from mallconsole.extensions import db
from mallconsole.services.fulfilment import carriers, shipments
from mallconsole.web.forms import last_day_after_first
from mallconsole.web.lists import ListFilters

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
        if len((field.data or "").strip()) > 100:
            raise FieldError("Enter at most 100 characters of the store's name or code.")

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
