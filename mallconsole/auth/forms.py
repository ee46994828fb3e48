"""Forms of sign-in and the account page."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from mallconsole.core.locale import locale_choices
from mallconsole.core.timezones import zone_names
from mallconsole.services.identity.staff import PASSWORD_MAX, PASSWORD_MIN


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])


class MfaCodeForm(FlaskForm):
    code = StringField(
        "Authentication code",
        validators=[DataRequired(), Length(min=6, max=20)],
        description="The six digits from your authenticator app, or one backup code.",
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True},
    )


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=PASSWORD_MIN, max=PASSWORD_MAX)],
        description=f"At least {PASSWORD_MIN} characters.",
        render_kw={"autocomplete": "new-password"},
    )
    confirm_password = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("new_password", "Does not match the new password.")],
        render_kw={"autocomplete": "new-password"},
    )


class MfaResetForm(FlaskForm):
    password = PasswordField("Current password", validators=[DataRequired()])


class TimeZoneForm(FlaskForm):
    time_zone = SelectField("Time zone", validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone.choices = [(z, z) for z in zone_names()]


class LocaleForm(FlaskForm):
    locale = SelectField(
        "Language and formats",
        description="How money, numbers and dates are written for you.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = [("", "As my browser asks"), *locale_choices()]


class ConfirmForm(FlaskForm):
    """A button-only form (ending a session): just the CSRF token."""
