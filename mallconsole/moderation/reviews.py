"""The review queues, claiming ("Start moderating"), focus mode and decisions."""

from __future__ import annotations

from functools import partial

from flask import abort, redirect, request, session, url_for
from flask_login import current_user

from mallconsole.core import states
from mallconsole.core.errors import Conflict
from mallconsole.core.roles import Permission
from mallconsole.extensions import db
from mallconsole.models import utcnow
from mallconsole.moderation import bp
from mallconsole.moderation.forms import ReviewFilters
from mallconsole.services import jobs
from mallconsole.services.kit import claims, versions
from mallconsole.services.moderation import review_decisions, review_queues
from mallconsole.web.authz import require
from mallconsole.web.htmx import render
from mallconsole.web.messages import notify
from mallconsole.web.queues import QueueScreen, queue_screen
from mallconsole.web.refusals import refusals
from mallconsole.web.templating import add_area_link

add_area_link(bp, "Reviews", "review_list", also=("review_detail",), position=10)

UNDO_KEY = "moderation_decided"  # the reviews this sign-in decided, newest last
UNDO_DEPTH = 20
POLICY_REASONS = {r: review_decisions.reason_words(r) for r in states.MODERATION_POLICY_REASONS}


UNKNOWN_QUEUE = (
    "There is no such queue. Choose Pending, Reported, Seller replies or Recently decided."
)
REVIEW_QUEUES = QueueScreen(
    template="moderation/review_list.html",
    argument="queue",
    names=review_queues.QUEUES,
    default="pending",
    unknown=UNKNOWN_QUEUE,
    form=ReviewFilters,
    sorts=review_queues.SORTS,
    default_sort=review_queues.DEFAULT_SORTS,
    id_column=review_queues.ID_COLUMNS,
)


def _queue_arg(default: str | None = "pending") -> str | None:
    queue = request.values.get("queue") or default
    if queue is not None and queue not in review_queues.QUEUES:
        abort(400, description=UNKNOWN_QUEUE)
    return queue


def _filters_of(form) -> dict:
    return {k: v for k, v in form.data.items() if k not in ("queue", "csrf_token") and v}


# --- the queues --------------------------------------------------------------------------------


@bp.get("/reviews")
@require(Permission.MODERATION_ACCESS)
def review_list():
    """A moderation queue with its counts, filters, pages and bulk decisions."""
    moderator = current_user.user
    return queue_screen(
        REVIEW_QUEUES,
        tabs=partial(review_queues.queue_tabs, db.session),
        rows=partial(review_queues.queue_page, db.session, user_id=moderator.id),
        count=partial(review_queues.count_items, db.session, user_id=moderator.id),
        more=lambda queue: {"held": review_queues.held_items(db.session, queue, actor=moderator)},
        now=utcnow(),
        queue_names=review_queues.QUEUES,
        policy_reasons=POLICY_REASONS,
        reason_words=review_decisions.reason_words,
        decision_words=review_decisions.DECISION_WORDS,
        can_undo=bool(session.get(UNDO_KEY)),
    )


def _focus_url(queue: str | None, review_id: str) -> str:
    return url_for("moderation.review_detail", review_id=review_id, queue=queue or None)


@bp.post("/claims")
@require(Permission.REVIEWS_MODERATE)
def claim_create():
    """Claim a batch of the queue's next items (with its filters) and open the first (303)."""
    queue = _queue_arg()
    if queue not in review_queues.CLAIMABLE:
        abort(400, description="Decided reviews are not claimed: open one to re-decide it.")
    form = ReviewFilters(request.form)
    if not form.validate():
        abort(400, description="Some filter values are not valid. Clear the filters and retry.")
    given = review_queues.claim_batch(db.session, queue, _filters_of(form), actor=current_user.user)
    if not given:
        notify(f"Nothing is waiting in {review_queues.QUEUES[queue]}. Well done.", "info")
        return redirect(url_for("moderation.review_list", queue=queue), code=303)
    _, minutes = review_queues.claim_settings(db.session)
    notify(f"{len(given)} item(s) are yours for {minutes} minutes, renewed while you work.")
    first = review_queues.review_of(db.session, queue, given[0].entity_id)
    return redirect(_focus_url(queue, first), code=303)


@bp.post("/claims/release")
@require(Permission.REVIEWS_MODERATE)
def claim_release():
    """Give back every item I hold in the queue (stop moderating)."""
    queue = _queue_arg()
    if queue in review_queues.CLAIMABLE:
        count = claims.release_all(
            db.session, queue=review_queues.claim_queue(queue), actor=current_user.user
        )
        notify(f"{count} item(s) given back to the queue." if count else "You held nothing.")
    return redirect(url_for("moderation.review_list", queue=queue), code=303)


# --- focus mode --------------------------------------------------------------------------------


def _position(queue: str | None, review_id: str, held) -> tuple[int | None, str | None, str | None]:
    """(1-based place of the review among my claims, previous review, next review)."""
    ids = [item.review_id for item in held]
    if review_id not in ids:
        return None, None, ids[0] if ids else None
    at = ids.index(review_id)
    previous = ids[at - 1] if at > 0 else None
    following = ids[at + 1] if at + 1 < len(ids) else None
    return at + 1, previous, following


def _focus_page(review_id: str, queue: str | None, *, status=200, error=None, entered=None):
    now = utcnow()
    if queue:
        review_queues.renew_claims(db.session, queue, actor=current_user.user, now=now)
    focus = review_queues.focus(db.session, review_id, now=now)
    held = (
        review_queues.held_items(db.session, queue, actor=current_user.user, now=now)
        if queue
        else []
    )
    place, previous, following = _position(queue, review_id, held)
    mine = focus.holder is not None and focus.holder.claimed_by_user_id == current_user.id
    return render(
        "moderation/review_detail.html",
        status=status,
        focus=focus,
        queue=queue,
        queue_names=review_queues.QUEUES,
        held=held,
        place=place,
        previous=previous,
        following=following,
        expires=min((item.expires_at for item in held), default=None),
        now=now,
        mine=mine,
        taken=focus.holder is not None and not mine,
        targets=states.allowed_targets(states.REVIEW_MACHINE, focus.review.state),
        reply_targets=states.allowed_targets(states.SELLER_REPLY_MACHINE, focus.reply.state)
        if focus.reply
        else (),
        policy_reasons=POLICY_REASONS,
        reason_words=review_decisions.reason_words,
        safe_uri=review_queues.safe_uri,
        error=error,
        entered=entered or {},
        can_undo=bool(session.get(UNDO_KEY)),
    )


@bp.get("/reviews/<review_id>")
@require(Permission.MODERATION_ACCESS)
def review_detail(review_id):
    """One review in focus: the review, its context, and the decisions with their keys."""
    return _focus_page(review_id, _queue_arg(default=None))


def _remember(review_id: str, queue: str | None) -> None:
    decided = [d for d in session.get(UNDO_KEY, []) if d[0] != review_id]
    session[UNDO_KEY] = [*decided, (review_id, queue or "")][-UNDO_DEPTH:]


def _next_after(queue: str | None, review_id: str, held_before) -> str:
    """Where deciding ``review_id`` leads: my next claimed item, a new batch, or the queue."""
    if not queue or queue not in review_queues.CLAIMABLE:
        return _focus_url(queue, review_id)
    ids = [item.review_id for item in held_before]
    later = ids[ids.index(review_id) + 1 :] if review_id in ids else ids
    held_now = {
        item.review_id
        for item in review_queues.held_items(db.session, queue, actor=current_user.user)
    }
    for candidate in [*later, *ids]:
        if candidate in held_now and candidate != review_id:
            return _focus_url(queue, candidate)
    given = review_queues.claim_batch(db.session, queue, actor=current_user.user)
    if given:
        return _focus_url(queue, review_queues.review_of(db.session, queue, given[0].entity_id))
    notify(f"{review_queues.QUEUES[queue]} is empty: nothing else is waiting.", "info")
    return url_for("moderation.review_list", queue=queue)


def _decision_refused(review_id, queue, entered: dict, refusal):
    """The review in focus again, with why not and what the moderator entered."""
    return _focus_page(
        review_id, queue, status=refusal.status, error=refusal.message, entered=entered
    )


def _decide_then_next(review_id: str, decide, *, remember: bool = True):
    """Run ``decide(entered, version)`` (a decision's service call, returning the message);
    then the next item of my batch (303), or the focus screen again with why not."""
    queue = _queue_arg(default=None)
    entered = {k: request.form.get(k, "") for k in ("decision", "reason", "note")}
    if entered["decision"] == "approve":
        # An approval meets the policy: a reason picked on the way (a radio cannot be unpicked)
        # is not held against it.
        entered["reason"] = ""
    held_before = (
        review_queues.held_items(db.session, queue, actor=current_user.user) if queue else []
    )
    with refusals(partial(_decision_refused, review_id, queue, entered)):
        message = decide(entered, versions.read_version(request.form.get("version")))
    if remember:
        _remember(review_id, queue)
    notify(message)
    return redirect(_next_after(queue, review_id, held_before), code=303)


@bp.post("/reviews/<review_id>/decision")
@require(Permission.REVIEWS_MODERATE)
def review_decide(review_id):
    """Approve, reject or remove the review; then the next item of my batch (303)."""

    def decide(entered, version):
        decided = review_decisions.decide_review(
            db.session,
            review_id,
            entered["decision"],
            actor=current_user.user,
            reason=entered["reason"] or None,
            note=entered["note"],
            expected_version=version,
        )
        resolved = decided.reports_resolved
        reports = f", {resolved} report(s) resolved" if resolved else ""
        title = decided.review.title or "Untitled review"
        return f"{decided.words}: “{title}”{reports}. Undo with u."

    return _decide_then_next(review_id, decide)


@bp.post("/reviews/<review_id>/reports/dismiss")
@require(Permission.REVIEWS_MODERATE)
def reports_dismiss(review_id):
    """Dismiss the open reports on a review; it stays as it is. Then the next item (303)."""

    def dismiss(entered, _version):
        count = review_decisions.dismiss_reports(
            db.session, review_id, actor=current_user.user, note=entered["note"]
        )
        return f"{count} report(s) dismissed; the review stays as it is."

    return _decide_then_next(review_id, dismiss)


@bp.post("/replies/<reply_id>/decision")
@require(Permission.REVIEWS_MODERATE)
def reply_decide(reply_id):
    """Approve (public) or reject a seller's reply; then the next item (303)."""

    def decide(entered, version):
        review_decisions.decide_reply(
            db.session,
            reply_id,
            entered["decision"],
            actor=current_user.user,
            reason=entered["reason"] or None,
            note=entered["note"],
            expected_version=version,
        )
        public = entered["decision"] == "approve"
        return f"Seller reply {'approved: it is public' if public else 'rejected: not public'}."

    review_id = review_queues.review_of(db.session, "replies", reply_id)
    return _decide_then_next(review_id, decide, remember=False)


@bp.post("/undo")
@require(Permission.REVIEWS_MODERATE)
def undo_last():
    """Reopen the last review I decided, to decide it again (history is kept) (303)."""
    decided = session.get(UNDO_KEY) or []
    if not decided:
        notify("Nothing to undo: you have not decided anything since you signed in.", "info")
        return redirect(url_for("moderation.review_list"), code=303)
    review_id, queue = decided[-1]
    session[UNDO_KEY] = decided[:-1]
    notify("Decide this review again: your new decision is added to its history.", "info")
    return redirect(_focus_url(queue or "decided", review_id), code=303)


# --- bulk ---------------------------------------------------------------------------------------


def _decide_replies(ids, decision, reason, note) -> str:
    done = review_decisions.decide_replies(
        db.session, ids, decision, actor=current_user.user, reason=reason, note=note
    )
    word = "approved" if decision == "approve" else "rejected"
    return f"{len(done)} seller repl{'y' if len(done) == 1 else 'ies'} {word}."


def _dismiss_reports(ids, note) -> str:
    dismissed = review_decisions.dismiss_reports_of(
        db.session, ids, actor=current_user.user, note=note
    )
    return (
        f"{sum(dismissed.values())} report(s) on {len(dismissed)} review(s) dismissed; "
        "the reviews stay as they are."
    )


def _decide_reviews(queue, ids, decision, reason, note) -> str:
    done = review_decisions.decide_reviews(
        db.session, ids, decision, actor=current_user.user, reason=reason, note=note
    )
    for item in done:
        _remember(item.review.id, queue)
    words = review_decisions.DECISION_WORDS.get(decision, decision).lower()
    reason_text = review_decisions.reason_words(done[0].moderation.reason_code)
    return f"{len(done)} review(s) {words} ({reason_text})."


@bp.post("/reviews/bulk")
@require(Permission.REVIEWS_MODERATE)
def review_bulk():
    """Decide the selected items together with one reason; each is recorded on its own."""
    queue = _queue_arg()
    ids = request.form.getlist("item")
    decision = request.form.get("decision", "")
    reason = request.form.get("reason") or None
    note = request.form.get("note")
    if queue == "replies":
        message = _decide_replies(ids, decision, reason, note)
    elif queue == "reported" and decision == "dismiss":
        message = _dismiss_reports(ids, note)
    else:
        message = _decide_reviews(queue, ids, decision, reason, note)
    notify(message)
    return redirect(url_for("moderation.review_list", queue=queue), code=303)


# --- product ratings ------------------------------------------------------------------------------


@bp.post("/ratings/refresh")
@require(Permission.REVIEWS_MODERATE)
def ratings_refresh():
    """Refresh the product rating summaries now (the refresh-ratings job, in the background)."""
    try:
        jobs.request_run(db.session, "refresh-ratings", actor=current_user.user)
    except Conflict as busy:  # a refresh already under way: news for the moderator, not a refusal
        notify(str(busy), "info")
    else:
        notify("Product ratings are being refreshed; shoppers see them within a minute.")
    return redirect(url_for("moderation.review_list", queue=_queue_arg()), code=303)
