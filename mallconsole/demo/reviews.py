"""Reviews on delivered items (pending, approved, rejected, removed), with media, reports
(several on some), moderation decisions, seller replies, and exact SKU rating aggregates."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from mallconsole.core import states
from mallconsole.demo.audit import audit
from mallconsole.demo.names import REVIEW_LINES
from mallconsole.demo.world import World
from mallconsole.models.base import uri_digest
from mallconsole.services.moderation import review_decisions

RATINGS = {
    Decimal("5"): 40,
    Decimal("4.5"): 10,
    Decimal("4"): 20,
    Decimal("3.5"): 5,
    Decimal("3"): 10,
    Decimal("2.5"): 2,
    Decimal("2"): 5,
    Decimal("1.5"): 2,
    Decimal("1"): 6,
}
REVIEW_WEIGHTS = {
    "approved": 62,
    "pending": 20,
    "rejected": 7,
    "removed_user": 4,
    "removed_moderator": 7,
}


def build_for_order(world: World, ctx: dict) -> None:
    """Reviews for some delivered items of one order."""
    delivered = [s["delivered_at"] for s in ctx["shipments"] if s["delivered_at"]]
    if not delivered:
        return
    start = max(delivered)
    for item in ctx["items"]:
        if world.chance(0.35):
            _review(world, ctx, item, start)


def _review(world: World, ctx: dict, item: dict, start) -> None:
    moderators = world.refs["staff_by_role"]["content_moderator"]
    sku = item["_sku"]
    state = world.state(world.serial("review"), states.REVIEW, REVIEW_WEIGHTS)
    rating = world.weighted(RATINGS)
    written = world.after(start, days=20)
    if state == "pending":
        # The moderation queue: recent, unclaimed reviews.
        written = world.ago(hours=world.rng.uniform(0.2, 72))
    line = world.pick(REVIEW_LINES[int(rating)])
    review = world.add(
        "shopping_mall_reviews",
        at=written,
        author_user_id=ctx["order"]["shopping_mall_user_id"],
        product_id=sku[1],
        sku_id=sku[0],
        order_item_id=item["id"],
        title=line.split(",")[0].rstrip("."),
        body=f"{line} Bought the {item['product_name'].lower()}.",
        rating=rating,
        verified_purchase=True,
        state=state,
        language="en",
    )
    decided = world.after(written, days=2)
    # A removal upholds the reports against the review: it takes their reason.
    reason = world.pick(states.MODERATION_POLICY_REASONS)
    decisions = {
        "approved": ("approve", states.REVIEW_APPROVE_REASON),
        "rejected": ("reject", reason),
        "removed_moderator": ("remove", reason),
    }
    moderator = world.pick(moderators)
    if state in decisions:
        decision, reason = decisions[state]
        if state == "removed_moderator":
            # It was approved first, then removed after reports.
            _moderation(
                world, review, moderator, "approve", states.REVIEW_APPROVE_REASON, decided, False
            )
            (decided,) = world.moments(decided, min(world.now, decided + timedelta(days=5)), 1)
        _moderation(world, review, moderator, decision, reason, decided, True)
        review["updated_at"] = decided
    if state == "removed_user":
        review["deleted_at"] = review["updated_at"] = world.after(written, days=5)
    if world.chance(0.15):
        for position in range(world.rng.randint(1, 2)):
            uri = f"https://cdn.demo.mall/reviews/{review['id']}/{position + 1}.jpg"
            world.add(
                "shopping_mall_review_media",
                at=written,
                shopping_mall_review_id=review["id"],
                uri=uri,
                uri_hash=uri_digest(uri),
                mime_type="image/jpeg",
                kind="image",
                position=position,
            )
    if state == "approved":
        _aggregate(world, review, decided)
        if world.due("reported", 3, 0.08):
            _reports(world, review, decided, open_reports=True)
        elif world.due("resolved_reports", 2, 0.03):
            _reports(world, review, decided, open_reports=False)
        if world.due("reply", len(states.SELLER_REPLY), 0.1):
            world.add(
                "shopping_mall_seller_replies",
                at=world.after(decided, days=3),
                shopping_mall_review_id=review["id"],
                shopping_mall_seller_id=sku[2],
                body="Thank you for the feedback. We're glad to help with anything else.",
                state=states.SELLER_REPLY[world.serial("reply") % len(states.SELLER_REPLY)],
            )
    elif state == "removed_moderator":
        _reports(
            world, review, decided - timedelta(hours=1), open_reports=False, removed_for=reason
        )


def _moderation(world, review, moderator, decision, reason, at, effective) -> None:
    world.add(
        "shopping_mall_review_moderations",
        at=at,
        shopping_mall_review_id=review["id"],
        moderator_user_id=moderator,
        decision=decision,
        reason_code=reason,
        effective=effective,
    )
    words = review_decisions.reason_words(reason)
    audit(
        world,
        actor=moderator,
        table="shopping_mall_reviews",
        entity_id=review["id"],
        action=f"review.{decision}",
        at=at,
        before={"state": "pending" if decision != "remove" else "approved"},
        after={"state": states.MODERATION_DECISION_STATE[decision]},
        # As a moderator's decision records them: the decision and its reason in words.
        summary=f"{review_decisions.DECISION_WORDS[decision]}: {words}",
        reason=words,
    )


def _reports(world, review, after, *, open_reports, removed_for=None) -> None:
    """Reports from customers; open ones wait in the reported queue, resolved ones carry a
    decision (dismissed, removed, edited). Reports upheld by a removal (``removed_for``: its
    reason) all gave that reason."""
    customers = world.refs["customers"]
    moderators = world.refs["staff_by_role"]["content_moderator"]
    for _ in range(world.rng.randint(2, 6) if open_reports else world.rng.randint(1, 3)):
        at = world.after(after, days=10)
        if open_reports:
            decision = None
        elif removed_for:
            decision = "removed"
        else:
            decision = ("dismissed", "edited")[world.serial("report_decision") % 2]
        resolved_at = world.after(at, days=2) if decision else None
        world.add(
            "shopping_mall_review_reports",
            at=at,
            shopping_mall_review_id=review["id"],
            reporter_user_id=world.pick(customers)["id"],
            resolver_user_id=world.pick(moderators) if decision else None,
            reporter_role="customer",
            reason_category=removed_for or world.pick(states.REVIEW_REPORT_REASONS),
            note="This review looks suspicious.",
            resolved=decision is not None,
            resolved_at=resolved_at,
            decision=decision,
        )
        if decision == "edited":
            review["edited_at"] = resolved_at


def _aggregate(world, review, approved_at) -> None:
    """Accumulate the SKU aggregate (half stars count in the lower bucket)."""
    key = (review["product_id"], review["sku_id"])
    aggregates = world.refs["review_aggregates"]
    agg = aggregates.setdefault(key, [0, Decimal(0), [0, 0, 0, 0, 0], None, approved_at])
    agg[0] += 1
    agg[1] += review["rating"]
    agg[2][int(review["rating"]) - 1] += 1
    agg[3] = max(agg[3], approved_at) if agg[3] else approved_at


def write_aggregates(world: World) -> None:
    """One ``shopping_mall_rating_aggregates`` row per reviewed SKU, exact averages."""
    for (product_id, sku_id), (count, total, buckets, last, first) in sorted(
        world.refs["review_aggregates"].items()
    ):
        world.add(
            "shopping_mall_rating_aggregates",
            at=first,
            updated_at=last,
            product_id=product_id,
            sku_id=sku_id,
            average_rating=(total / count).quantize(Decimal("0.0001")),
            total_reviews=count,
            ratings_1_count=buckets[0],
            ratings_2_count=buckets[1],
            ratings_3_count=buckets[2],
            ratings_4_count=buckets[3],
            ratings_5_count=buckets[4],
            last_approved_review_at=last,
        )


def summarize_open_reports(connection) -> None:
    """Each reported review's summary of its open reports (count, oldest, rank), as the
    triggers on the reports keep it: after a bulk load on PostgreSQL, which loads without
    them, every open report is touched once so that its trigger runs (indexes back in place)."""
    if connection.dialect.name != "postgresql":
        return  # the triggers ran as the rows were written
    connection.exec_driver_sql(
        "UPDATE shopping_mall_review_reports SET shopping_mall_review_id = shopping_mall_review_id "
        "WHERE resolved = false AND deleted_at IS NULL"
    )
