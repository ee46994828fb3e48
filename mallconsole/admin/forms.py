"""Forms of the admin console: jobs, configurations, feature flags and policies."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length

from mallconsole.core import states
from mallconsole.services import jobs
from mallconsole.services.admin import configuration
from mallconsole.web.lists import ListFilters


def _job_choices() -> dict:
    ordered = sorted(jobs.REGISTRY.values(), key=lambda j: j.label)
    return {"": "All jobs", **{job.name: job.label for job in ordered}}


class JobRunFilters(ListFilters):
    """Filters of the job-runs list."""

    job = SelectField("Job", choices={}, default="")
    result = SelectField(
        "Result",
        choices={"": "Any result", **{s: jobs.RUN_STATUS_LABELS[s] for s in states.JOB_RUN}},
        default="",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.job.choices = _job_choices()


class JobScheduleForm(FlaskForm):
    """Pause or resume a job's schedule, based on the version the admin saw."""

    action = HiddenField(
        validators=[AnyOf(("pause", "resume"), message="Choose to pause or to resume.")]
    )
    reason = TextAreaField(
        "Reason",
        validators=[Length(max=500)],
        description="Needed to pause: tell the other admins why, and when to resume.",
    )
    version = HiddenField(validators=[DataRequired()])


class ConfirmWhyForm(FlaskForm):
    """A confirmed removal (archive a flag, remove a setting): why, and the version seen. The
    reason is kept in the history; a sensitive record's approver needs it (``validate_why``)."""

    justification = TextAreaField(
        "Why",
        validators=[Length(max=2000)],
        description="Kept in the history; when a second admin must approve, they read it.",
    )
    version = HiddenField()

    def validate_why(self, *, needed: bool) -> bool:
        """Whether the form is valid, a reason required when ``needed``."""
        valid = self.validate_on_submit()
        if needed and not self.reason:
            self.justification.errors = [*self.justification.errors, "Say why, for the approver."]
            valid = False
        return valid

    @property
    def reason(self) -> str | None:
        return (self.justification.data or "").strip() or None


# --- configurations ----------------------------------------------------------------------------


class ConfigurationFilters(ListFilters):
    q = StringField("Search", validators=[Length(max=100)], render_kw={"type": "search"})
    scope = SelectField(
        "Applies to",
        choices={"": "Everyone and sellers", "global": "Everyone (global)", "sellers": "Sellers"},
        default="",
    )


class ValueForm(FlaskForm):
    """A new value for a setting; the justification is for a sensitive key's approver."""

    value = TextAreaField(
        "Value", validators=[Length(max=configuration.VALUE_MAX)], render_kw={"rows": 2}
    )
    justification = TextAreaField(
        "Why (for the approver)",
        validators=[Length(max=2000)],
        description="This setting changes only when a second admin approves.",
    )
    version = HiddenField()


class NewSettingForm(ValueForm):
    key = StringField(
        "Key",
        validators=[Length(max=200)],
        description="A known key (see the list) is checked against its type; "
        "any other key is kept as text.",
    )
    seller = StringField(
        "Seller code",
        validators=[Length(max=50)],
        description="Empty: for everyone. A seller code (like S00001): only for that "
        "seller, overriding the global value.",
    )


class RevertForm(FlaskForm):
    event = HiddenField()
    version = HiddenField()
    justification = TextAreaField("Why (for the approver)", validators=[Length(max=2000)])
