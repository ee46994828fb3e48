"""Forms of the admin console: jobs, configurations, feature flags and policies."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SearchField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from mallconsole.core import states
from mallconsole.extensions import db
from mallconsole.services import approvals, jobs
from mallconsole.services.admin import configuration, flags, policies
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


# --- feature flags -----------------------------------------------------------------------------


class FlagFilters(ListFilters):
    q = StringField("Search", validators=[Length(max=100)], render_kw={"type": "search"})
    state = SelectField(
        "State",
        choices={"": "Any state", **{key: label for key, (label, _) in flags.STATES.items()}},
        default="",
    )


class FlagForm(FlaskForm):
    """A flag's settings; the justification is needed when the flag is sensitive."""

    name = StringField("Name", validators=[Length(max=flags.NAME_MAX)])
    description = TextAreaField("Description", validators=[Length(max=flags.DESCRIPTION_MAX)])
    enabled = BooleanField("Switched on")
    rollout_percentage = StringField(
        "Rollout (%)",
        description="0–100: the share of subjects it is on for. Empty: everyone.",
        render_kw={"inputmode": "numeric", "type": "number", "min": 0, "max": 100},
    )
    segment = StringField(
        "Segment",
        description="Only subjects with this attribute, written key=value (locale=ko-KR). "
        "Empty: every subject.",
        validators=[Length(max=300)],
    )
    starts_at = StringField(
        "Starts", render_kw={"type": "datetime-local"}, description="Empty: from now on."
    )
    ends_at = StringField(
        "Ends", render_kw={"type": "datetime-local"}, description="Empty: no end."
    )
    sensitive = BooleanField(
        "Sensitive",
        description="Changes to a sensitive flag need a second admin's approval.",
    )
    justification = TextAreaField(
        "Why (for the approver)",
        validators=[Length(max=2000)],
        description="Needed when the flag is sensitive: the change waits for a second admin.",
    )
    version = HiddenField()


class NewFlagForm(FlagForm):
    code = StringField(
        "Code",
        validators=[DataRequired(message="Give the flag a code."), Length(max=100)],
        description="How services ask for it: lower case, like checkout.one_page. "
        "It cannot change later.",
    )


class ConfirmForm(FlaskForm):
    """A sensitive flag's toggle or revert: why, for the approver."""

    justification = TextAreaField(
        "Why (for the approver)",
        validators=[DataRequired(message="Say why, for the approver."), Length(max=2000)],
    )
    version = HiddenField()
    event = HiddenField()


# --- policies ----------------------------------------------------------------------------------


class PolicyFilters(ListFilters):
    """Search and filters of the policies list."""

    q = SearchField("Search", validators=[Length(max=policies.SEARCH_MAX)],
                    render_kw={"placeholder": "Title or code"})  # fmt: skip
    category = SelectField("Category", choices={}, default="")
    status = SelectField(
        "Status",
        choices={"": "Any status", **states.POLICY_STATUS_LABELS},
        default="",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = {
            "": "Every category",
            **{c: c.replace("_", " ").capitalize() for c in policies.categories(db.session)},
        }


# Made before the other fields so it comes first on the new-policy form (and its errors).
_POLICY_CODE = StringField(
    "Code",
    validators=[Length(max=80)],
    description="How other services refer to it: lower case, like seller_fees. "
    "It cannot change later.",
)


class PolicyForm(FlaskForm):
    """A policy's title, category and description (the terms live in its versions)."""

    title = StringField("Title", validators=[Length(max=policies.TITLE_MAX)])
    category = StringField(
        "Category",
        validators=[Length(max=50)],
        description="Choose one of the existing categories, or type a new one.",
        render_kw={"list": "policy-categories", "autocomplete": "off"},
    )
    description = TextAreaField(
        "Description",
        validators=[Length(max=policies.DESCRIPTION_MAX)],
        description="What the policy covers, for staff. Optional.",
        render_kw={"rows": 3},
    )
    version = HiddenField()


class NewPolicyForm(PolicyForm):
    code = _POLICY_CODE


class VersionForm(FlaskForm):
    """A draft version: its label, window (whole days, UTC), change notes and terms."""

    label = StringField("Version label", validators=[Length(max=policies.LABEL_MAX)],
                        description="How staff and customers refer to it, e.g. 4.0.")  # fmt: skip
    effective_from = StringField(
        "First day in force",
        render_kw={"type": "date"},
        description="From 00:00 UTC that day. Tomorrow at the earliest.",
    )
    effective_to = StringField(
        "Stops being in force on",
        render_kw={"type": "date"},
        description="Leave empty for open-ended: the next approved version will end it.",
    )
    change_notes = TextAreaField("Change notes", validators=[Length(max=policies.NOTES_MAX)],
                                 description="What changed and why, for the approver.",
                                 render_kw={"rows": 3})  # fmt: skip
    content = TextAreaField(
        "Terms",
        render_kw={"rows": 16, "class": "policy-terms-input"},
        description="The full text of the policy as customers will read it.",
    )
    version = HiddenField()


class SubmitForm(FlaskForm):
    """Ask a second admin to approve a draft."""

    justification = TextAreaField("Why should it come into force?",
                                  validators=[Length(max=approvals.JUSTIFICATION_MAX)],
                                  render_kw={"rows": 3})  # fmt: skip


class InForceForm(FlaskForm):
    """The day to look up (a GET form: no CSRF)."""

    class Meta:
        csrf = False

    at = DateField("Day", validators=[Optional()])
