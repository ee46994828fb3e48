"""Sign-in (password, then TOTP when enrolled), sign-out, and the account page."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    redirect,
    request,
    session,
    url_for,
)
from flask_login import current_user

from mallconsole.auth import bp
from mallconsole.auth.forms import (
    ConfirmForm,
    LocaleForm,
    LoginForm,
    MfaCodeForm,
    MfaResetForm,
    PasswordChangeForm,
    TimeZoneForm,
)
from mallconsole.auth.principal import SESSION_TOKEN_KEY, absolute_limit, idle_limit
from mallconsole.core.locale import current_reader
from mallconsole.core.roles import Permission
from mallconsole.extensions import db
from mallconsole.models import User
from mallconsole.services.identity import accounts, mfa
from mallconsole.services.identity.secretbox import decrypt_secret, encrypt_secret
from mallconsole.services.identity.sessions import (
    active_sessions,
    end_own_session,
    end_session,
    start_session,
)
from mallconsole.services.identity.sign_in import (
    REFUSAL,
    SignInRefused,
    begin_mfa_step,
    check_credentials,
    check_ip_limit,
    check_still_staff,
    complete_mfa_step,
    end_mfa_step,
    end_mfa_steps,
    pending_mfa_step,
    register_failure,
    register_success,
    step_user,
)
from mallconsole.web.authz import public, require
from mallconsole.web.display import example_of
from mallconsole.web.htmx import render
from mallconsole.web.messages import notify
from mallconsole.web.redirects import redirect_to_next, safe_next
from mallconsole.web.refusals import refusals, validated
from mallconsole.web.security import SMALL_FORM, body_limit, forget_oversized
from mallconsole.web.transactions import keep_changes_on_refusal

# The browser's token of its pending TOTP step (the step itself is a server row).
MFA_STEP_KEY = "mfa_step"
MFA_ENROLLMENT_KEY = "mfa_enrollment"
MFA_REFUSAL = "That code is not right or was already used. Enter the current code."


def _begin_session(user: User, email: str, next_url: str | None):
    """Make the new server session and a fresh cookie for it (no session fixation)."""
    row, token = start_session(db.session, user, absolute=absolute_limit())
    register_success(db.session, email, user, row.id)
    session.clear()
    session[SESSION_TOKEN_KEY] = token
    return redirect_to_next(next_url)


def _login_page(form, next_url, *, status=200, error=None):
    return render("auth/login.html", form=form, next_url=next_url, error=error, status=status)


def _signed_in(user: User, email: str, next_url: str | None):
    """The password is accepted: on to the TOTP step when the account has MFA, else in."""
    if current_user.is_authenticated:
        # Signing in again from a signed-in browser replaces that browser's session.
        end_session(db.session, current_user.session_row)
    if user.mfa_enabled:
        token = begin_mfa_step(db.session, user, email, next_url)
        session.clear()
        session[MFA_STEP_KEY] = token
        return redirect(url_for("auth.login_mfa"))
    return _begin_session(user, email, next_url)


@bp.route("/login", methods=["GET", "POST"])
@public
@body_limit(SMALL_FORM)
def login():
    """Email and password; on to the TOTP step when the account has MFA."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("console.index"))
    form = LoginForm()
    next_url = safe_next(request.values.get("next"))
    if not form.validate_on_submit():
        forget_oversized(form)
        return _login_page(form, next_url, status=422 if form.is_submitted() else 200)
    # A new password step voids this browser's earlier TOTP step, whatever its outcome.
    end_mfa_step(db.session, session.pop(MFA_STEP_KEY, None))
    try:
        credentials = check_credentials(db.session, form.email.data, form.password.data)
    except SignInRefused as refused:
        # Not web/refusals, which rolls back: a refused sign-in keeps the failed attempt and
        # any lockout it caused.
        keep_changes_on_refusal()
        return _login_page(form, next_url, error=refused.message, status=422)
    return _signed_in(credentials.user, form.email.data, next_url)


def _refuse_mfa_step():
    """Back to the password step: the TOTP step is gone, expired or used."""
    session.pop(MFA_STEP_KEY, None)
    notify("Sign in with your email and password first.", "error")
    return redirect(url_for("auth.login"))


def _code_refused(step, user: User, form):
    """None when ``user`` may still sign in and ``form``'s code is theirs; otherwise the page
    that says why not. The refusal's record (the failed attempt) is kept, so not refusals."""
    try:
        check_still_staff(db.session, step.email, user)
    except SignInRefused:
        keep_changes_on_refusal()
        end_mfa_step(db.session, session.pop(MFA_STEP_KEY, None))
        return render("auth/login.html", form=LoginForm(), error=REFUSAL, status=422)
    if not mfa.verify_code(db.session, user, form.code.data, current_app.config):
        register_failure(
            db.session,
            step.email,
            user,
            reason="wrong or reused code",
            event_type="mfa_challenge_failed",
        )
        keep_changes_on_refusal()
        return render("auth/login_mfa.html", form=form, error=MFA_REFUSAL, status=422)
    return None


@bp.route("/login/mfa", methods=["GET", "POST"])
@public
@body_limit(SMALL_FORM)
def login_mfa():
    """The TOTP (or backup code) step of signing in."""
    step = pending_mfa_step(db.session, session.get(MFA_STEP_KEY))
    if step is None:
        return _refuse_mfa_step()
    user = step_user(db.session, step)
    form = MfaCodeForm()
    if not form.validate_on_submit():
        forget_oversized(form)
        status = 422 if form.is_submitted() else 200
        return render("auth/login_mfa.html", form=form, status=status)
    check_ip_limit(db.session)
    email, next_path = step.email, step.next_path
    refused = _code_refused(step, user, form)
    if refused is not None:
        return refused
    if not complete_mfa_step(db.session, step):
        # Another request with a copy of this cookie used the step first.
        return _refuse_mfa_step()
    return _begin_session(user, email, next_path)


@bp.post("/logout")
@public
def logout():
    """Revoke this session and forget the cookie."""
    end_mfa_step(db.session, session.get(MFA_STEP_KEY))
    if current_user.is_authenticated:
        end_mfa_steps(db.session, current_user.id)
        end_session(db.session, current_user.session_row)
    session.clear()
    notify("You are signed out.", "success")
    return redirect(url_for("auth.login"))


def _account_page(status: int = 200, **forms):
    forms.setdefault("password_form", PasswordChangeForm(formdata=None))
    forms.setdefault("zone_form", TimeZoneForm(formdata=None, time_zone=current_user.time_zone))
    forms.setdefault("reset_form", MfaResetForm(formdata=None))
    forms.setdefault(
        "locale_form", LocaleForm(formdata=None, locale=current_user.user.locale or "")
    )
    return render(
        "auth/account.html",
        sessions=active_sessions(db.session, current_user.id, idle=idle_limit()),
        current_session_id=current_user.session_row.id,
        end_form=ConfirmForm(formdata=None),
        backup_codes_left=mfa.remaining_backup_codes(current_user.user),
        locale_example=example_of(current_reader()),
        status=status,
        **forms,
    )


@bp.get("/account")
@require(Permission.CONSOLE_USE)
def account():
    """Password, MFA, sessions and time zone of the signed-in staff member."""
    return _account_page()


@bp.post("/account/password")
@require(Permission.CONSOLE_USE)
def password_change():
    form = PasswordChangeForm()
    with refusals(lambda refusal: _account_page(refusal.status, password_form=form), form):
        validated(form)
        ended = accounts.change_password(
            db.session,
            current_user.user,
            current=form.current_password.data,
            new=form.new_password.data,
            confirm=form.confirm_password.data,
            keep_session_id=current_user.session_row.id,
        )
    notify(f"Password changed. {ended} other session(s) ended.", "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/time-zone")
@require(Permission.CONSOLE_USE)
def time_zone_update():
    form = TimeZoneForm()
    if not form.validate_on_submit():
        return _account_page(422, zone_form=form)
    accounts.set_time_zone(
        db.session, current_user.user, form.time_zone.data, actor=current_user.user
    )
    notify(f"Times are now shown in {form.time_zone.data}.", "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/locale")
@require(Permission.CONSOLE_USE)
def locale_update():
    form = LocaleForm()
    if not form.validate_on_submit():
        return _account_page(422, locale_form=form)
    accounts.set_locale(db.session, current_user.user, form.locale.data, actor=current_user.user)
    if form.locale.data:
        label = dict(form.locale.choices)[form.locale.data]
        notify(f"Money, numbers and dates are now written as in {label}.", "success")
    else:
        notify("Money, numbers and dates now follow your browser's language.", "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/sessions/<session_id>/end")
@require(Permission.CONSOLE_USE)
def session_end(session_id: str):
    """End one of the staff member's own sessions (this one signs out)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    end_own_session(db.session, current_user.user, session_id)
    if session_id == current_user.session_row.id:
        session.clear()
        notify("This session has ended. Sign in again to continue.", "success")
        return redirect(url_for("auth.login"))
    notify("The session has ended.", "success")
    return redirect(url_for("auth.account"))


def _enrollment_secret() -> str:
    """The secret this enrollment shows (kept encrypted in the cookie); a new one on GET."""
    config = current_app.config
    stored = session.get(MFA_ENROLLMENT_KEY)
    if request.method == "GET" or not stored:
        secret = mfa.new_secret()
        session[MFA_ENROLLMENT_KEY] = encrypt_secret(config, secret)
        return secret
    return decrypt_secret(config, stored)


def _enrollment_page(form, secret: str, *, status: int = 200):
    uri = mfa.provisioning_uri(secret, current_user.user.email)
    return render(
        "auth/mfa_enroll.html",
        form=form,
        secret=secret,
        qr_svg=mfa.qr_svg(uri),
        required=current_app.config.get("MFA_REQUIRED"),
        status=status,
    )


@bp.route("/account/mfa", methods=["GET", "POST"])
@require(Permission.CONSOLE_USE)
def mfa_enroll():
    """Enroll an authenticator: QR code and secret, confirmed by a code; backup codes once."""
    user = current_user.user
    if user.mfa_enabled:
        return render("auth/mfa_status.html", reset_form=MfaResetForm(formdata=None))
    form = MfaCodeForm()
    secret = _enrollment_secret()
    if not form.is_submitted():
        return _enrollment_page(form, secret)
    with refusals(lambda refusal: _enrollment_page(form, secret, status=refusal.status), form):
        validated(form)
        codes = mfa.enroll(db.session, user, secret, form.code.data, current_app.config)
    session.pop(MFA_ENROLLMENT_KEY, None)
    response = render("auth/mfa_backup_codes.html", codes=codes)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/account/mfa/reset")
@require(Permission.CONSOLE_USE)
def mfa_reset():
    """Turn MFA off (password required) to enroll a new authenticator."""
    form = MfaResetForm()
    with refusals(lambda refusal: _account_page(refusal.status, reset_form=form), form):
        validated(form)
        mfa.disable(db.session, current_user.user, form.password.data)
    notify("Two-step sign-in is off. Enroll your new authenticator now.", "success")
    return redirect(url_for("auth.mfa_enroll"))
