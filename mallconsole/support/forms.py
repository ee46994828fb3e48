"""Forms of the support console: the case queues' filters and a new case, the case screen
(reply, internal note, files, the header's changes), the canned-reply library, requests raised
for a customer, and the customer screen (orders filter, reveal)."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length
from wtforms.validators import ValidationError as FieldError

from mallconsole.core import states
from mallconsole.extensions import db
from mallconsole.services.aftersales import customer_requests
from mallconsole.services.customers import customer_view
from mallconsole.services.support import case_queues, case_work
from mallconsole.web.lists import ListFilters


def _words(keys) -> dict[str, str]:
    return {key: case_work.words(key) for key in keys}


def plain_words(values) -> dict[str, str]:
    """Each stored key with its words as the queue and library screens write them."""
    return {v: v.replace("_", " ").capitalize() for v in values}


# --- the case queues ---------------------------------------------------------------------------


class CaseFilters(ListFilters):
    """Filters of the case queues; ``queue`` is carried along as a hidden field."""

    queue = HiddenField(default="mine")
    status = SelectField(
        "Status",
        choices={
            "": "Any status",
            **{s: states.label(states.SUPPORT_CASE_MACHINE, s) for s in states.SUPPORT_CASE},
        },
        default="",
    )
    priority = SelectField(
        "Priority",
        choices={"": "Any priority", **plain_words(reversed(states.CASE_PRIORITIES))},
        default="",
    )
    category = SelectField(
        "Category", choices={"": "Any category", **plain_words(states.CASE_CATEGORIES)}, default=""
    )
    channel = SelectField(
        "Channel", choices={"": "Any channel", **plain_words(states.CASE_CHANNELS)}, default=""
    )
    assignee = SelectField("Assignee", choices={}, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignee.choices = {"": "Anyone", **dict(case_queues.agent_choices(db.session))}

    def validate_queue(self, field):
        if field.data not in case_queues.QUEUES:
            raise FieldError("Choose one of: " + ", ".join(case_queues.QUEUES) + ".")


class NewCaseForm(FlaskForm):
    """A case taken by phone or email."""

    subject = StringField("Subject", description="What the customer needs, in a few words.")
    description = TextAreaField("Description", description="What they said, and what you know.")
    category = SelectField("Category", choices=plain_words(states.CASE_CATEGORIES), default="order")
    priority = SelectField(
        "Priority", choices=plain_words(reversed(states.CASE_PRIORITIES)), default="normal"
    )
    channel = SelectField("Channel", choices=plain_words(states.CASE_CHANNELS), default="phone")
    customer = StringField(
        "Customer", description="Their email address or one of their order numbers."
    )
    seller = StringField(
        "Or seller", description="For a seller's case: their seller code or contact email."
    )
    order = StringField("Order (optional)", description="An order of this customer: ORD-…")
    shipment = StringField("Shipment (optional)", description="A shipment of that order: SHP-…")


# --- the canned-reply library ------------------------------------------------------------------


class CannedReplyFilters(ListFilters):
    """Search and category filter of the canned-reply library."""

    q = StringField("Search", description="Words of the title or the text")
    category = SelectField(
        "Category", choices={"": "Any category", **plain_words(states.CASE_CATEGORIES)}, default=""
    )


class CannedReplyForm(FlaskForm):
    """Add or edit a canned reply (``version``: the one the agent saw, for edits)."""

    title = StringField("Title")
    body = TextAreaField("Text", render_kw={"rows": 7})
    category = SelectField(
        "Category", choices={"": "Any category", **plain_words(states.CASE_CATEGORIES)}, default=""
    )
    version = HiddenField()


# --- the case screen ---------------------------------------------------------------------------


class ReplyForm(FlaskForm):
    """A public reply to the customer, maybe started from a canned reply."""

    body = TextAreaField(
        "Reply to the customer",
        validators=[Length(max=case_work.MAX_BODY_CHARS)],
        description="Sent by email to the customer; it shows on the timeline as public.",
    )
    canned_reply_id = HiddenField()
    files = MultipleFileField("Attach files")


class NoteForm(FlaskForm):
    """An internal note: only staff see it."""

    body = TextAreaField(
        "Internal note",
        validators=[Length(max=case_work.MAX_BODY_CHARS)],
        description="Only staff see notes; the customer never does.",
    )
    files = MultipleFileField("Attach files")


class AttachForm(FlaskForm):
    """Files added to the case on their own."""

    files = MultipleFileField("Files", description=f"{case_work.ALLOWED_TYPES_TEXT}; 10 MB each.")


class _ChangeForm(FlaskForm):
    version = HiddenField(validators=[DataRequired()])


class StatusForm(_ChangeForm):
    status = SelectField("Status", choices=_words(states.SUPPORT_CASE))


class PriorityForm(_ChangeForm):
    priority = SelectField("Priority", choices=_words(states.CASE_PRIORITIES))


class CategoryForm(_ChangeForm):
    category = SelectField("Category", choices=_words(states.CASE_CATEGORIES))


class AssignForm(_ChangeForm):
    assignee = SelectField("Assignee", choices={}, validate_choice=False)


CHANGE_FORMS = {
    "status": StatusForm,
    "priority": PriorityForm,
    "category": CategoryForm,
    "assignee": AssignForm,
}


# --- requests raised for a customer ------------------------------------------------------------


class RequestForm(FlaskForm):
    """The fields every request has: reason, note, and the case it is raised from."""

    reason_code = SelectField("Reason", choices=[], validate_choice=False)  # the service checks
    note = TextAreaField(
        "Note",
        validators=[Length(max=customer_requests.NOTE_MAX)],
        description="What the customer told you; operations and finance read it.",
        render_kw={"rows": 3},
    )
    case = HiddenField()

    def __init__(self, kind, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason_code.choices = [("", "Choose a reason")] + [
            (code, customer_requests.reason_label(code)) for code in kind.reasons
        ]


# --- the customer screen -----------------------------------------------------------------------


class CustomerOrderFilters(ListFilters):
    """Filters of a customer's orders."""

    status = SelectField(
        "Status",
        choices={
            "": "Any status",
            **{s: states.label(states.ORDER_MACHINE, s) for s in states.ORDER},
        },
        default="",
    )


class RevealForm(FlaskForm):
    """Why the agent needs to see the customer's contact details (required, audited)."""

    reason = TextAreaField(
        "Why do you need to see them?",
        validators=[Length(max=customer_view.REASON_MAX)],
        description="Recorded in the audit trail with your name, e.g. “Customer asked to "
        "confirm the delivery address on the phone”.",
    )
