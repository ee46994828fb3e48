"""Forms of the case screen: reply, internal note, files, and the header's changes."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, MultipleFileField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from mallconsole.core import states
from mallconsole.services.support import case_work


def _words(keys) -> dict[str, str]:
    return {key: case_work.words(key) for key in keys}


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
