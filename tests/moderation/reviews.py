"""Reviews for moderation tests: a product with SKUs, reviews in any state, reports, replies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from mallconsole.core.roles import Role
from mallconsole.models import (
    Product,
    ReviewModeration,
    ReviewReport,
    SellerReply,
    Sku,
    Store,
    User,
    utcnow,
)
from tests.factories.actors import make_staff
from tests.factories.records import build


@dataclass
class Shelf:
    """One store's product with its SKUs."""

    store: Store
    product: Product
    skus: list


def make_shelf(
    session, *, title="Trail Runner Shoes", store_name="Cobalt Goods", skus: int = 2
) -> Shelf:
    store = build(session, Store, name=store_name)
    product = build(session, Product, title=title, shopping_mall_store_id=store.id)
    skus = [build(session, Sku, shopping_mall_product_id=product.id) for _ in range(skus)]
    return Shelf(store, product, skus)


def add_review(
    session,
    shelf: Shelf,
    *,
    sku: int = 0,
    state: str = "pending",
    rating="4",
    written_ago: timedelta | None = None,
    author: User | None = None,
    **values,
):
    """A review of the shelf's SKU number ``sku``; an approved one gets its effective
    approval (what the moderation history of a real approved review holds)."""
    from mallconsole.models import Review

    now = utcnow()
    values.setdefault("title", "Comfortable shoes")
    values.setdefault("body", "Fits well and the grip is good.")
    values.setdefault("verified_purchase", True)
    values.setdefault("language", "en")
    if author is not None:
        values["author_user_id"] = author.id
    review = build(
        session,
        Review,
        product_id=shelf.product.id,
        sku_id=shelf.skus[sku].id,
        rating=Decimal(str(rating)),
        state=state,
        created_at=now - (written_ago or timedelta(hours=1)),
        **values,
    )
    if state != "pending":
        decision = {"approved": "approve", "rejected": "reject"}.get(state, "remove")
        build(
            session,
            ReviewModeration,
            shopping_mall_review_id=review.id,
            moderator_user_id=build(session, User).id,
            decision=decision,
            reason_code="meets_policy" if decision == "approve" else "spam",
            effective=True,
            created_at=now - timedelta(minutes=30),
        )
    return review


def add_reviews(session, shelf, count, **values) -> list:
    """``count`` pending reviews written a minute apart (the first the oldest)."""
    return [
        add_review(session, shelf, written_ago=timedelta(hours=3, minutes=-n), **values)
        for n in range(count)
    ]


def add_report(session, review, *, reason="spam", resolved=False, **values) -> ReviewReport:
    return build(
        session,
        ReviewReport,
        shopping_mall_review_id=review.id,
        reporter_role="customer",
        reason_category=reason,
        note=values.pop("note", "Looks like an advert."),
        resolved=resolved,
        decision=values.pop("decision", "dismissed" if resolved else None),
        **values,
    )


def add_reply(session, review, shelf, *, state="pending", body="Thanks for the review!"):
    from mallconsole.models import Seller

    seller = session.get(Seller, shelf.store.shopping_mall_seller_id)
    return build(
        session,
        SellerReply,
        shopping_mall_review_id=review.id,
        shopping_mall_seller_id=seller.id,
        body=body,
        state=state,
    )


def make_moderator(session, email=None) -> User:
    import uuid

    return make_staff(
        session, email or f"mod-{uuid.uuid4().hex[:8]}@test.mall", [Role.CONTENT_MODERATOR]
    )


def bulk_pending_reviews(session, shelf: Shelf, count: int) -> list[str]:
    """``count`` pending reviews over the shelf's SKUs, inserted in bulk (race tests): one order
    item each, a minute apart, ratings cycling through the half stars. Their ids, oldest first."""
    from sqlalchemy import insert, inspect

    from mallconsole.models import OrderItem, Review, new_id

    template = build(session, OrderItem, shopping_mall_sku_id=shelf.skus[0].id, line_position=0)
    author = build(session, User)
    columns = {c.key: getattr(template, c.key) for c in inspect(OrderItem).column_attrs}
    now = utcnow()
    items, reviews = [], []
    for n in range(count):
        sku = shelf.skus[n % len(shelf.skus)]
        item_id = new_id()
        items.append(
            {**columns, "id": item_id, "line_position": n + 1, "shopping_mall_sku_id": sku.id}
        )
        reviews.append(
            {
                "id": new_id(),
                "author_user_id": author.id,
                "product_id": shelf.product.id,
                "sku_id": sku.id,
                "order_item_id": item_id,
                "title": f"Review {n}",
                "body": "Solid purchase.",
                "rating": Decimal(1 + (n % 9)) / 2 + Decimal("0.5"),
                "verified_purchase": True,
                "state": "pending",
                "language": "en",
                "created_at": now - timedelta(minutes=count - n),
                "updated_at": now,
                "version": 1,
            }
        )
    session.execute(insert(OrderItem), items)
    session.execute(insert(Review), reviews)
    return [r["id"] for r in reviews]
