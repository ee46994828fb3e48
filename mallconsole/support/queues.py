"""Case queues, "Take next", new cases and the canned-reply library (``/support/…``)."""

from __future__ import annotations

from functools import partial

from flask import redirect, request, url_for
from flask_login import current_user

from mallconsole.core import states
from mallconsole.core.roles import Permission
from mallconsole.extensions import db
from mallconsole.services.kit import versions
from mallconsole.services.support import canned_replies, case_queues
from mallconsole.support import bp
from mallconsole.support.forms import (
    CannedReplyFilters,
    CannedReplyForm,
    CaseFilters,
    NewCaseForm,
    plain_words,
)
from mallconsole.web.authz import require
from mallconsole.web.htmx import go_to, render
from mallconsole.web.lists import read_listing
from mallconsole.web.messages import notify
from mallconsole.web.queues import QueueScreen, queue_screen
from mallconsole.web.refusals import refusals, validated

CASE_SCREEN = "support.case_detail"


def case_url(case_id: str) -> str:
    """The case screen's address."""
    return url_for(CASE_SCREEN, case_id=case_id)


# --- the queues --------------------------------------------------------------------------------


CASE_QUEUES = QueueScreen(
    template="support/queues/case_list.html",
    argument="queue",
    names=case_queues.QUEUES,
    default="mine",
    unknown="There is no such case queue. Choose Mine, Unassigned, SLA or All.",
    form=CaseFilters,
    sorts=case_queues.CASE_SORTS,
    default_sort=case_queues.DEFAULT_SORTS,
    id_column=case_queues.CASE_ID,
)


@bp.get("/cases")
@require(Permission.CASES_VIEW)
def case_list():
    """A case queue (mine, unassigned, SLA due, all) with filters, sort and pages."""
    mine = {"user_id": current_user.id}
    return queue_screen(
        CASE_QUEUES,
        tabs=partial(case_queues.queue_tabs, db.session, **mine),
        rows=partial(case_queues.case_page, db.session, **mine),
        count=partial(case_queues.count_cases, db.session, **mine),
        queue_names=case_queues.QUEUES,
        case_url=case_url,
    )


@bp.post("/cases/take-next")
@require(Permission.CASES_WORK)
def take_next():
    """Assign the most urgent unassigned case to me and open it (303)."""
    taken = case_queues.take_next(db.session, actor=current_user.user)
    if taken is None:
        notify("No unassigned case is waiting. Well done — look at your own cases.", "info")
        target = url_for("support.case_list", queue="unassigned")
    else:
        notify(f"{taken.case_number} is yours now: {taken.subject}")
        target = case_url(taken.id)
    return go_to(target)


# --- a new case --------------------------------------------------------------------------------


def _new_case_page(form, *, status=200):
    return render("support/queues/new_case.html", status=status, form=form)


@bp.route("/cases/new", methods=["GET", "POST"])
@require(Permission.CASES_WORK)
def new_case():
    """Open a case taken by phone or email."""
    form = NewCaseForm()
    if request.method == "GET":
        return _new_case_page(form)
    with refusals(lambda refusal: _new_case_page(form, status=refusal.status), form):
        validated(form)
        intake = case_queues.Intake(
            **{name: form[name].data for name in case_queues.Intake.__dataclass_fields__}
        )
        opened = case_queues.open_case(db.session, intake, actor=current_user.user)
    notify(f"{opened.case_number} opened.")
    return redirect(case_url(opened.id), code=303)


# --- the canned-reply library ------------------------------------------------------------------


def _library(add_form, *, status=200):
    listing = read_listing(
        CannedReplyFilters,
        sorts=canned_replies.REPLY_SORTS,
        default_sort="title",
        id_column=canned_replies.REPLY_ID,
    )
    page = canned_replies.reply_page(
        db.session, listing.filters, listing.ordering, cursor=listing.cursor, limit=listing.limit
    )
    return render(
        "support/queues/canned_replies.html",
        block="listing" if status == 200 else "add",
        status=status,
        listing=listing,
        page=page,
        count=canned_replies.count_replies(db.session, listing.filters),
        form=add_form,
        placeholders=canned_replies.PLACEHOLDERS,
        categories=plain_words(states.CASE_CATEGORIES),
    )


@bp.get("/canned-replies", endpoint="canned_replies")
@require(Permission.CASES_VIEW)
def canned_reply_list():
    """The shared reply library: search, filter, and (with the right) add replies."""
    return _library(CannedReplyForm(formdata=None))


@bp.post("/canned-replies")
@require(Permission.CANNED_REPLIES_MANAGE)
def canned_reply_create():
    """Add a reply to the library."""
    form = CannedReplyForm()
    with refusals(lambda refusal: _library(form, status=refusal.status), form):
        validated(form)
        reply = canned_replies.add_reply(
            db.session,
            title=form.title.data,
            body=form.body.data,
            category=form.category.data,
            actor=current_user.user,
        )
    notify(f"“{reply.title}” added to the library.")
    return redirect(url_for("support.canned_replies"), code=303)


def _edit_page(reply, form, *, status=200, stale=None):
    return render(
        "support/queues/canned_reply_edit.html",
        block="editor",
        status=status,
        reply=reply,
        form=form,
        stale=stale,
        placeholders=canned_replies.PLACEHOLDERS,
    )


@bp.get("/canned-replies/<reply_id>")
@require(Permission.CANNED_REPLIES_MANAGE)
def canned_reply_edit(reply_id):
    """One reply's editor (and its delete button)."""
    reply = canned_replies.get_reply(db.session, reply_id)
    form = CannedReplyForm(
        formdata=None,
        data={
            "title": reply.title,
            "body": reply.body,
            "category": reply.category or "",
            "version": reply.version,
        },
    )
    return _edit_page(reply, form)


def _edit_refused(reply_id, form, refusal):
    """The editor again with the agent's input: its errors (422), or what changed since (409;
    the form is then at the version now, so saving again applies the input on purpose)."""
    reply = canned_replies.get_reply(db.session, reply_id)
    return _edit_page(reply, form, status=refusal.status, stale=refusal.stale)


@bp.post("/canned-replies/<reply_id>")
@require(Permission.CANNED_REPLIES_MANAGE)
def canned_reply_update(reply_id):
    """Save a reply; refused (409, with what changed) when someone saved it meanwhile."""
    form = CannedReplyForm()
    with refusals(partial(_edit_refused, reply_id, form), form):
        validated(form)
        canned_replies.edit_reply(
            db.session,
            reply_id,
            title=form.title.data,
            body=form.body.data,
            category=form.category.data,
            expected_version=versions.read_version(form.version.data),
            actor=current_user.user,
        )
    notify("Reply saved.")
    return redirect(url_for("support.canned_replies"), code=303)


@bp.post("/canned-replies/<reply_id>/delete")
@require(Permission.CANNED_REPLIES_MANAGE)
def canned_reply_delete(reply_id):
    """Take a reply out of the library; 409 when it changed since the page was opened."""
    reply = canned_replies.delete_reply(
        db.session,
        reply_id,
        expected_version=versions.read_version(request.form.get("version")),
        actor=current_user.user,
    )
    notify(f"“{reply.title}” deleted from the library.")
    return redirect(url_for("support.canned_replies"), code=303)
