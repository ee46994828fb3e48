"""Moderation decisions on reviews, their reports and seller replies.

A decision on a review appends a ``shopping_mall_review_moderations`` row (the only effective
one: the previous effective row is set false, never deleted or changed otherwise), moves the
review along ``states.REVIEW_MACHINE``, resolves the open reports on it with the matching report
decision, writes one audit event and, when the set of approved reviews changes, brings the SKU's
rating aggregate up to date (``ratings.update_sku_aggregate``), all in the caller's transaction.
Re-deciding (undo, appeal) is another decision appended to the history.

Reports can also be dismissed without a new decision: the review stays as it is. A seller reply
is approved or rejected with a reason (a versioned, audited edit); only approved replies are
public.

A review someone else holds a live claim on is theirs to decide (409); a decision gives back the
decider's own claim on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from mallconsole.core import states
from mallconsole.core.errors import Conflict, ValidationError
from mallconsole.core.people import display_name
from mallconsole.models import Review, ReviewModeration, ReviewReport, SellerReply, User, utcnow
from mallconsole.services.kit import audit, claims, versions
from mallconsole.services.moderation import ratings

REVIEW_TABLE = "shopping_mall_reviews"
REPLY_TABLE = "shopping_mall_seller_replies"
NOTE_MAX = 2000
# What an open report becomes when the review is decided.
REPORT_DECISION = {"approve": "dismissed", "reject": "removed", "remove": "removed"}
DECISION_WORDS = {"approve": "Approved", "reject": "Rejected", "remove": "Removed"}
REASON_WORDS = {
    "meets_policy": "Meets the policy",
    "off_topic": "Off topic",
    "profanity": "Profanity",
    "harassment": "Harassment",
    "pii": "Personal information",
    "spam": "Spam",
    "fake": "Fake review",
    "other": "Other",
}
REPLY_DECISIONS = {"approve": "approved", "reject": "rejected"}
BULK_MAX = 100


def reason_words(code: str | None) -> str:
    """A reason code as a moderator reads it ("pii" → "Personal information")."""
    return REASON_WORDS.get(code or "", states.in_words(code))


def _clean_note(note: str | None) -> str | None:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(
            f"Keep the note under {NOTE_MAX:,} characters.",
            field_errors={"note": [f"Keep the note under {NOTE_MAX:,} characters."]},
        )
    return note or None


def check_reason(decision: str, reason: str | None) -> str:
    """The reason code a decision records: approve is always ``meets_policy``; reject and
    remove need one of the policy reasons (422 otherwise)."""
    if decision not in states.MODERATION_DECISIONS:
        raise ValidationError("Choose approve, reject or remove.")
    if decision == "approve":
        if reason not in (None, "", states.REVIEW_APPROVE_REASON):
            raise ValidationError(
                "An approval meets the policy: it takes no policy reason.",
                field_errors={"reason": ["An approval takes no policy reason."]},
            )
        return states.REVIEW_APPROVE_REASON
    if reason not in states.MODERATION_POLICY_REASONS:
        message = f"Choose the policy reason to {decision} the review (keys 1–7)."
        raise ValidationError(message, field_errors={"reason": [message]})
    return reason


def _claimed_by_someone_else(session, entity_table: str, entity_id: str, actor) -> None:
    claim = claims.holder(session, entity_table, entity_id)
    if claim is not None and claim.claimed_by_user_id != actor.id:
        holder = session.get(User, claim.claimed_by_user_id)
        who = display_name(holder.name, holder.email) if holder else "another moderator"
        raise Conflict(f"{who} is moderating this right now. Leave it to them, or pick another.")


def _resolve_reports(session, review: Review, decision: str, *, actor, now) -> int:
    """Resolve every open report on ``review`` with ``decision``; how many."""
    open_reports = session.scalars(
        select(ReviewReport)
        .where(
            ReviewReport.shopping_mall_review_id == review.id,
            ReviewReport.resolved.is_(False),
            ReviewReport.deleted_at.is_(None),
        )
        .with_for_update()
    ).all()
    for report in open_reports:
        states.check_move(states.REVIEW_REPORT_DECISION_MACHINE, report.decision, decision)
        report.resolved = True
        report.resolved_at = now
        report.resolver_user_id = actor.id
        report.decision = decision
        report.version += 1
    return len(open_reports)


@dataclass(frozen=True)
class Decided:
    """One decision made: the review, its new history row, and what it changed."""

    review: Review
    moderation: ReviewModeration
    before: str
    reports_resolved: int

    @property
    def words(self) -> str:
        return DECISION_WORDS[self.moderation.decision]


def decide_review(
    session,
    review_id: str,
    decision: str,
    *,
    actor,
    reason: str | None = None,
    note: str | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Decided:
    """Approve, reject or remove a review (see the module's docstring for every effect)."""
    now = now or utcnow()
    reason = check_reason(decision, reason)
    note = _clean_note(note)
    review = versions.lock(session, Review, review_id, what="review")
    target = states.MODERATION_DECISION_STATE[decision]
    states.check_move(states.REVIEW_MACHINE, review.state, target)
    if expected_version is not None:
        versions.check_version(
            session, review, expected_version, entity_table=REVIEW_TABLE, labels={"state": "State"}
        )
    _claimed_by_someone_else(session, REVIEW_TABLE, review.id, actor)
    before, version = review.state, review.version
    session.execute(
        update(ReviewModeration)
        .where(
            ReviewModeration.shopping_mall_review_id == review.id,
            ReviewModeration.effective.is_(True),
        )
        .values(effective=False, updated_at=now)
        .execution_options(synchronize_session="fetch")
    )
    row = ReviewModeration(
        shopping_mall_review_id=review.id,
        moderator_user_id=actor.id,
        decision=decision,
        reason_code=reason,
        note=note,
        effective=True,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    review.state = target
    review.version = version + 1
    review.updated_at = now
    resolved = _resolve_reports(session, review, REPORT_DECISION[decision], actor=actor, now=now)
    if (before == "approved") != (target == "approved"):
        ratings.update_sku_aggregate(
            session, product_id=review.product_id, sku_id=review.sku_id, now=now
        )
    audit.record(
        session,
        actor=actor,
        entity_table=REVIEW_TABLE,
        entity_id=review.id,
        action=f"review.{decision}",
        summary=f"{DECISION_WORDS[decision]}: {reason_words(reason)}"
        + (f"; {resolved} report(s) resolved" if resolved else ""),
        reason=note or reason_words(reason),
        before={"state": before, "version": version},
        after={
            "state": target,
            "reason_code": reason,
            "reports_resolved": resolved,
            "version": version + 1,
        },
    )
    claims.release(session, entity_table=REVIEW_TABLE, entity_id=review.id, actor=actor)
    session.flush()
    return Decided(review, row, before, resolved)


def decide_reviews(
    session,
    review_ids: list[str],
    decision: str,
    *,
    actor,
    reason: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> list[Decided]:
    """Decide several reviews with one reason, each with its own history row and audit event;
    all or none (one that cannot be decided refuses the whole batch, naming why)."""
    unique = list(dict.fromkeys(review_ids))
    if not unique:
        raise ValidationError("Select at least one review (x, or the checkboxes).")
    if len(unique) > BULK_MAX:
        raise ValidationError(f"Decide at most {BULK_MAX} reviews at once.")
    check_reason(decision, reason)
    now = now or utcnow()
    # Locked in id order, so two bulk decisions over overlapping reviews cannot deadlock.
    return [
        decide_review(session, review_id, decision, actor=actor, reason=reason, note=note, now=now)
        for review_id in sorted(unique)
    ]


def dismiss_reports(
    session, review_id: str, *, actor, note: str | None = None, now: datetime | None = None
) -> int:
    """Dismiss every open report on a review, which stays as it is; how many (409 if none)."""
    now = now or utcnow()
    note = _clean_note(note)
    review = versions.lock(session, Review, review_id, what="review")
    _claimed_by_someone_else(session, REVIEW_TABLE, review.id, actor)
    count = _resolve_reports(session, review, "dismissed", actor=actor, now=now)
    if not count:
        raise Conflict("This review has no open reports to dismiss.")
    audit.record(
        session,
        actor=actor,
        entity_table=REVIEW_TABLE,
        entity_id=review.id,
        action="review.reports_dismissed",
        summary=f"{count} report(s) dismissed; the review stays {states.in_words(review.state)}",
        reason=note,
        before={"open_reports": count},
        after={"open_reports": 0, "report_decision": "dismissed"},
    )
    claims.release(session, entity_table=REVIEW_TABLE, entity_id=review.id, actor=actor)
    session.flush()
    return count


def dismiss_reports_of(
    session, review_ids: list[str], *, actor, note: str | None = None
) -> dict[str, int]:
    """Dismiss the open reports on several reviews, which stay as they are; each review is
    audited on its own; all or none. How many reports each review had."""
    unique = sorted(set(review_ids))
    if not unique:
        raise ValidationError("Select at least one review (x, or the checkboxes).")
    if len(unique) > BULK_MAX:
        raise ValidationError(f"Decide at most {BULK_MAX} reviews at once.")
    now = utcnow()
    return {
        review_id: dismiss_reports(session, review_id, actor=actor, note=note, now=now)
        for review_id in unique
    }


def decide_reply(
    session,
    reply_id: str,
    decision: str,
    *,
    actor,
    reason: str | None = None,
    note: str | None = None,
    expected_version: int | None = None,
) -> SellerReply:
    """Approve (public) or reject (not public) a seller's reply, with a reason; audited."""
    if decision not in REPLY_DECISIONS:
        raise ValidationError("Choose approve or reject for the seller's reply.")
    reason = check_reason(decision, reason)
    note = _clean_note(note)
    reply = versions.lock(session, SellerReply, reply_id, what="seller reply")
    target = REPLY_DECISIONS[decision]
    states.check_move(states.SELLER_REPLY_MACHINE, reply.state, target)
    _claimed_by_someone_else(session, REPLY_TABLE, reply.id, actor)
    versions.apply_edit(
        session,
        reply,
        expected_version=reply.version if expected_version is None else expected_version,
        changes={"state": target},
        actor=actor,
        entity_table=REPLY_TABLE,
        action=f"seller_reply.{decision}",
        summary=f"Seller reply {DECISION_WORDS[decision].lower()}: {reason_words(reason)}",
        reason=note or reason_words(reason),
        labels={"state": "State"},
    )
    claims.release(session, entity_table=REPLY_TABLE, entity_id=reply.id, actor=actor)
    session.flush()
    return reply


def decide_replies(
    session,
    reply_ids: list[str],
    decision: str,
    *,
    actor,
    reason: str | None = None,
    note: str | None = None,
) -> list[SellerReply]:
    """Approve or reject several seller replies with one reason, each audited; all or none."""
    unique = sorted(set(reply_ids))
    if not unique:
        raise ValidationError("Select at least one reply (x, or the checkboxes).")
    if len(unique) > BULK_MAX:
        raise ValidationError(f"Decide at most {BULK_MAX} replies at once.")
    return [
        decide_reply(session, reply_id, decision, actor=actor, reason=reason, note=note)
        for reply_id in unique
    ]
