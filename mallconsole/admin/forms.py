"""Forms of the admin console."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length

from mallconsole.core import states
from mallconsole.services import jobs
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
