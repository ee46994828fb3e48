"""The case screen (``/support/cases/<case_id>``): header, timeline, reply, note, changes.

Every action is an htmx form answering the part it changed (the header, or a fresh form) plus
the timeline entries the page has not shown yet (out of band); without JavaScript the same
forms post and come back to the case. Services do the work (``services/support/case_work.py``).
"""

from __future__ import annotations

from functools import partial

from flask import make_response, redirect, request, url_for
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from mallconsole.core.errors import NotFound
from mallconsole.core.roles import Permission
from mallconsole.extensions import db
from mallconsole.services.kit import versions
from mallconsole.services.support import case_work
from mallconsole.support import bp
from mallconsole.support.forms import CHANGE_FORMS, AttachForm, NoteForm, ReplyForm
from mallconsole.web.authz import require
from mallconsole.web.downloads import DownloadAudit, send_stored
from mallconsole.web.htmx import fragment_of, is_htmx, render, render_block
from mallconsole.web.messages import notify
from mallconsole.web.refusals import refusals, validated
from mallconsole.web.security import UPLOAD, body_limit

TEMPLATE = "support/cases/case_detail.html"
# Read a file of the form up to the limit and one byte more: enough to know it is too large.
READ_LIMIT = case_work.MAX_FILE_BYTES + 1


@bp.context_processor
def screen_links():
    return {"say": case_work.words}


def _uploads(form) -> list[case_work.Upload]:
    """The files sent (text sent in the files field by a script is not a file: ignored)."""
    return [
        case_work.Upload(f.filename or "", f.stream.read(READ_LIMIT))
        for f in (form.files.data or [])
        if isinstance(f, FileStorage) and (f.filename or "")
    ]


def _change_forms(header, *, refused=None) -> dict:
    """The header's forms at the case's version; ``refused`` (a form the agent sent) kept."""
    case = header.case
    values = {
        "status": case.status,
        "priority": case.priority,
        "category": case.category,
        "assignee": case.assigned_to_user_id or "",
    }
    forms = {}
    for name, form_class in CHANGE_FORMS.items():
        if refused is not None and refused[0] == name:
            forms[name] = refused[1]
            continue
        forms[name] = form_class(formdata=None, data={name: values[name], "version": case.version})
    return forms


def _context(case_ref, *, earlier=None, forms=None, stale=None, reply_form=None, note_form=None,
             attach_form=None):  # fmt: skip
    header = case_work.case_header(db.session, case_ref)
    agents = case_work.support_agents(db.session)
    forms = forms or _change_forms(header)
    forms["assignee"].assignee.choices = {"": "Nobody", **{a.id: a.name for a in agents}}
    return {
        "header": header,
        "sla": header.sla(),
        "page": case_work.timeline(db.session, header.case, earlier=earlier),
        "earlier": earlier,
        "forms": forms,
        "stale": stale,
        "agents": agents,
        "reply_form": reply_form or ReplyForm(formdata=None),
        "note_form": note_form or NoteForm(formdata=None),
        "attach_form": attach_form or AttachForm(formdata=None),
        "requests": case_work.raised_requests(db.session, header.case.id),
        "event_labels": case_work.EVENT_LABELS,
    }


@bp.get("/cases/<case_id>")
@require(Permission.CASES_VIEW)
def case_detail(case_id):
    """One case: who asked what, everything that happened since, and what to do next."""
    earlier = request.args.get("earlier") or None
    context = _context(case_id, earlier=earlier)
    canned = request.args.get("canned")
    if canned and current_user.user is not None:
        # Without JavaScript a chosen canned reply comes back as the reply's starting text.
        choice = case_work.canned_choice(db.session, context["header"], current_user.user, canned)
        context["reply_form"] = ReplyForm(
            formdata=None, data={"body": choice.text, "canned_reply_id": choice.id}
        )
    return render(TEMPLATE, **context)


@bp.get("/cases/<case_id>/timeline")
@require(Permission.CASES_VIEW)
def case_timeline(case_id):
    """Timeline entries: older ones ("Load earlier", ``earlier=``) or the ones newer than the
    page shows (the 10-second poll, ``newer=``). Without htmx: the case at that place."""
    earlier, newer = request.args.get("earlier"), request.args.get("newer")
    if not is_htmx():
        return redirect(url_for("support.case_detail", case_id=case_id, earlier=earlier))
    case = case_work.get_case(db.session, case_id)
    if newer:
        news = case_work.timeline(db.session, case, newer=newer)
        return render(TEMPLATE, block="news", case=case, news=news)
    page = case_work.timeline(db.session, case, earlier=earlier)
    return render(TEMPLATE, block="earlier_entries", case=case, page=page)


def _answer(case_ref, blocks, *, status=200, **context):
    """An htmx answer made of several blocks of the case template (the part that changed and
    the timeline's news, out of band)."""
    case = case_work.get_case(db.session, case_ref)
    seen = request.form.get("seen") or None
    news = case_work.newest_after(db.session, case, seen) if status < 400 else None
    full = _context(case_ref, **context) if "header" in blocks else {}
    body = "".join(
        render_block(TEMPLATE, block, **{**context, **full, "case": case, "news": news})
        for block in blocks
        if block != "news" or news is not None and news.newest_cursor
    )
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def _back(case_id):
    return redirect(url_for("support.case_detail", case_id=case_id), code=303)


def _refused_page(case_ref, status, **context):
    return render(TEMPLATE, status=status, **_context(case_ref, **context))


def _compose(case_id, form_class, block: str, add) -> object:
    """Post a reply, a note or files: ``add(case, form)`` calls the service and returns the
    message; htmx gets a fresh form (or the form with its errors, 422) and the news."""
    form = form_class()
    case = case_work.get_case(db.session, case_id)

    def page(refusal):
        if is_htmx():
            return _answer(case_id, [block], status=refusal.status, **{f"{block}_form": form})
        return _refused_page(case_id, refusal.status, **{f"{block}_form": form})

    with refusals(page, form):
        validated(form)
        message = add(case, form)
    notify(message)
    if is_htmx():
        return _answer(case_id, [block, "news"], **{f"{block}_form": form_class(formdata=None)})
    return _back(case_id)


@bp.post("/cases/<case_id>/reply")
@require(Permission.CASES_WORK)
@body_limit(UPLOAD)
def case_reply(case_id):
    """Answer the customer by email (queued, then sent by the send-mail task)."""

    def send(case, form):
        case_work.reply(
            db.session, case.id, body=form.body.data, actor=current_user.user,
            uploads=_uploads(form), canned_reply_id=form.canned_reply_id.data or None,
        )  # fmt: skip
        return "Reply queued for the customer's email."

    return _compose(case_id, ReplyForm, "reply", send)


@bp.post("/cases/<case_id>/note")
@require(Permission.CASES_WORK)
@body_limit(UPLOAD)
def case_note(case_id):
    """Add an internal note (only staff see it)."""

    def write(case, form):
        case_work.add_note(
            db.session, case.id, body=form.body.data, actor=current_user.user,
            uploads=_uploads(form),
        )  # fmt: skip
        return "Note added."

    return _compose(case_id, NoteForm, "note", write)


@bp.post("/cases/<case_id>/attachments")
@require(Permission.CASES_WORK)
@body_limit(UPLOAD)
def case_attach(case_id):
    """Attach files to the case."""

    def attach(case, form):
        files = case_work.attach(
            db.session, case.id, uploads=_uploads(form), actor=current_user.user
        )
        return f"{len(files)} file{'s' if len(files) != 1 else ''} attached."

    return _compose(case_id, AttachForm, "attach", attach)


@bp.get("/cases/<case_id>/attachments/<attachment_id>")
@require(Permission.CASES_VIEW)
def case_attachment(case_id, attachment_id):
    """Download a file of the case (always as a download, never shown inline)."""
    case = case_work.get_case(db.session, case_id)
    attachment = case_work.get_attachment(db.session, case, attachment_id)
    return send_stored(
        attachment.file_uri,
        attachment.file_name,
        attachment.content_type,
        audit=DownloadAudit(
            case_work.CASES, case.id, action="case_attachment_downloaded",
            details={"attachment_id": attachment.id},
        ),
    )  # fmt: skip


_CHANGES = {
    "status": (case_work.change_status, "Status changed to {}."),
    "priority": (case_work.change_priority, "Priority changed to {}."),
    "category": (case_work.change_category, "Category changed to {}."),
}


def _change(case_id, what, form) -> str | None:
    """Make the change ``form`` asks for; the sentence saying so, or None when it changed
    nothing."""
    value = form[what].data
    expected = versions.read_version(form.version.data)
    if what == "assignee":
        changed = case_work.assign(
            db.session, case_id, assignee_id=value or None, expected_version=expected,
            actor=current_user.user,
        )  # fmt: skip
        return None if changed is None else changed.body + "."
    change, sentence = _CHANGES[what]
    changed = change(
        db.session, case_id, **{what: value}, expected_version=expected, actor=current_user.user
    )
    if changed is None:
        return None
    said = case_work.words(value)
    return sentence.format(said if what == "status" else said.lower())


@bp.post("/cases/<case_id>/change/<what>")
@require(Permission.CASES_WORK)
def case_change(case_id, what):
    """Change the case's status, priority, category or assignee, based on the version the
    agent saw: refused (409, with what changed since) when someone changed it meanwhile."""
    form_class = CHANGE_FORMS.get(what)
    if form_class is None:
        raise NotFound("There is no such change of a case.")
    case = case_work.get_case(db.session, case_id)
    form = form_class()
    if what == "assignee" and request.form.get("to") == "me":
        form.assignee.data = current_user.id
    with refusals(partial(_refused, case_id, what, form), form):
        validated(form)
        message = _change(case.id, what, form)
    notify(message or "Nothing changed.", "success" if message else "info")
    if is_htmx():
        return _answer(case_id, ["header", "news"])
    return _back(case_id)


def _refused(case_id, what, form, refusal):
    """The header again with the agent's choice kept: its errors (422), or what changed since
    (409)."""
    if refusal.stale is None and refusal.status == 409:
        # A move the case's states do not allow: the header's forms show field errors only, so
        # the error page says it (for htmx, in #messages).
        raise refusal.error
    header = case_work.case_header(db.session, case_id)
    forms = _change_forms(header, refused=(what, form))
    if is_htmx():
        return _answer(case_id, ["header"], status=refusal.status, forms=forms, stale=refusal.stale)
    return _refused_page(case_id, refusal.status, forms=forms, stale=refusal.stale)


@bp.get("/cases/<case_id>/canned-replies")
@require(Permission.CASES_WORK)
@fragment_of("support.case_detail")
def case_canned_replies(case_id):
    """Canned replies matching the search, filled in for this case, to insert into a reply."""
    header = case_work.case_header(db.session, case_id)
    choices = case_work.canned_reply_choices(
        db.session, header, current_user.user, request.args.get("q", "")
    )
    return render(TEMPLATE, block="canned_choices", header=header, choices=choices)
