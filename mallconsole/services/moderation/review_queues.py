"""The moderation queues: pending reviews, reported reviews, seller replies, recently decided;
claiming a batch ("Start moderating") and the focus screen's read model.

A queue is a filter over reviews (or seller replies, or effective decisions) read a keyset page
at a time: one query per page whatever its size, with the product, SKU, store, author, counts
of media and open reports, and the holder of a live claim selected in the same statement.

Claiming uses the kit (``services/kit/claims.py``): the moderator's live claims in a queue are
topped up to ``moderation.claim.batch_size`` for ``moderation.claim.minutes``; an item someone
else holds is never given (the claims' unique key decides; ``SKIP LOCKED`` on PostgreSQL keeps
claimers from waiting on each other), and items whose claim ran out go back to the queue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import (
    and_,
    exists,
    false,
    func,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.orm import aliased

from mallconsole.core import states
from mallconsole.core.errors import NotFound
from mallconsole.core.people import Person
from mallconsole.models import (
    Claim,
    OptionType,
    OptionValue,
    OrderItem,
    Product,
    ProductMedia,
    Review,
    ReviewMedia,
    ReviewModeration,
    ReviewReport,
    SellerReply,
    Sku,
    SkuOptionValue,
    Store,
    User,
    utcnow,
)
from mallconsole.services.kit import claims, settings
from mallconsole.services.kit.pagination import (
    QueueCount,
    SortKey,
    capped_count,
    capped_counts,
    keyset_page,
)
from mallconsole.services.moderation.review_decisions import REPLY_TABLE, REVIEW_TABLE

QUEUES = {
    "pending": "Pending",
    "reported": "Reported",
    "replies": "Seller replies",
    "decided": "Recently decided",
}
QUEUE_HINTS = {
    "pending": "New reviews waiting for a first decision, oldest first",
    "reported": "Reviews with open reports, most reported first",
    "replies": "Sellers' replies waiting before they are public",
    "decided": "The latest decisions, to undo or to hear an appeal",
}
CLAIMABLE = ("pending", "reported", "replies")


def claim_queue(queue: str) -> str:
    """The name of a moderation queue in ``shopping_mall_claims.queue``."""
    return f"moderation.{queue}"


def entity_table(queue: str) -> str:
    return REPLY_TABLE if queue == "replies" else REVIEW_TABLE


LIVE_REVIEW = Review.deleted_at.is_(None)
# Constants written inline, as the partial indexes' predicates are (revision 0011).
_PENDING = literal_column("'pending'")
# Written as the partial index ix_review_reports_open's predicate.
OPEN_REPORT = and_(ReviewReport.resolved == false(), ReviewReport.deleted_at.is_(None))


# Each review's open reports, kept on the review by triggers on the reports (revision 0014):
# the reported queue reads the reported reviews in its order from ix_reviews_reported_rank.
OPEN_REPORTS = Review.open_report_count
FIRST_REPORTED = Review.first_open_report_at
# More open reports first, then the oldest first report: count × 10^10 − its epoch seconds.
REPORT_RANK = Review.report_rank
MEDIA_COUNT = (
    select(func.count(ReviewMedia.id))
    .where(ReviewMedia.shopping_mall_review_id == Review.id, ReviewMedia.deleted_at.is_(None))
    .correlate(Review)
    .scalar_subquery()
)
# A reply on a live review, written as a look-up of the few deleted reviews
# (ix_reviews_deleted) rather than a read of every review's row.
_Deleted = aliased(Review, name="deleted_review")
ON_LIVE_REVIEW = ~exists().where(
    _Deleted.id == SellerReply.shopping_mall_review_id, _Deleted.deleted_at.is_not(None)
)
# Written as ix_reviews_reported_rank's predicate (with LIVE_REVIEW).
HAS_OPEN_REPORT = Review.report_rank.is_not(None)

SORTS = {
    "pending": (
        SortKey("age", "Written", Review.created_at, kind=datetime),
        SortKey("rating", "Rating", Review.rating, kind=Decimal),
    ),
    "reported": (
        SortKey("reports", "Open reports", REPORT_RANK, kind=int),
        SortKey("reported", "First reported", FIRST_REPORTED, kind=datetime),
        SortKey("rating", "Rating", Review.rating, kind=Decimal),
    ),
    "replies": (SortKey("age", "Replied", SellerReply.created_at, kind=datetime),),
    "decided": (SortKey("decided", "Decided", ReviewModeration.created_at, kind=datetime),),
}
DEFAULT_SORTS = {"pending": "age", "reported": "-reports", "replies": "age", "decided": "-decided"}
ID_COLUMNS = {
    "pending": Review.id,
    "reported": Review.id,
    "replies": SellerReply.id,
    "decided": ReviewModeration.id,
}
# How "Start moderating" picks: the queue's natural order.
CLAIM_ORDERS = {
    "pending": (Review.created_at.asc(), Review.id.asc()),
    "reported": (REPORT_RANK.desc(), Review.id.desc()),
    "replies": (SellerReply.created_at.asc(), SellerReply.id.asc()),
}
YES_NO = ("yes", "no")


def _condition(queue: str):
    if queue == "pending":
        return and_(Review.state == _PENDING, LIVE_REVIEW)
    if queue == "reported":
        return and_(LIVE_REVIEW, HAS_OPEN_REPORT)
    if queue == "replies":
        return and_(SellerReply.state == _PENDING, SellerReply.deleted_at.is_(None), ON_LIVE_REVIEW)
    if queue == "decided":
        return ReviewModeration.effective == true()
    raise NotFound("There is no such moderation queue.")


def _base(queue: str, *columns):
    statement = select(*columns)
    # Replies and decisions reach their review by a left join (every one has its review): a
    # count or an age that reads no column of the review skips the reviews table altogether.
    if queue == "replies":
        statement = statement.select_from(SellerReply).outerjoin(
            Review, Review.id == SellerReply.shopping_mall_review_id
        )
    elif queue == "decided":
        statement = statement.select_from(ReviewModeration).outerjoin(
            Review, Review.id == ReviewModeration.shopping_mall_review_id
        )
    else:
        statement = statement.select_from(Review)
    return statement.where(_condition(queue))


def _filtered(statement, queue: str, filters: dict, *, user_id: str | None):
    product = (filters.get("product") or "").strip()
    if product:
        statement = statement.where(
            or_(
                Review.product_id.in_(
                    select(Product.id).where(func.lower(Product.title).contains(product.lower()))
                ),
                Review.sku_id.in_(select(Sku.id).where(Sku.sku_code == product)),
            )
        )
    store = (filters.get("store") or "").strip()
    if store:
        stores = select(Store.id).where(
            or_(func.lower(Store.name).contains(store.lower()), Store.store_code == store)
        )
        statement = statement.where(
            Review.product_id.in_(
                select(Product.id).where(Product.shopping_mall_store_id.in_(stores))
            )
        )
    if filters.get("rating"):
        stars = int(filters["rating"])
        statement = statement.where(Review.rating >= stars, Review.rating < stars + 1)
    language = (filters.get("language") or "").strip().lower()
    if language:
        statement = statement.where(func.lower(Review.language) == language)
    if filters.get("media") in YES_NO:
        with_media = exists().where(
            ReviewMedia.shopping_mall_review_id == Review.id, ReviewMedia.deleted_at.is_(None)
        )
        statement = statement.where(with_media if filters["media"] == "yes" else ~with_media)
    if filters.get("verified") in YES_NO:
        statement = statement.where(Review.verified_purchase.is_(filters["verified"] == "yes"))
    if filters.get("reason"):
        reported = [
            ReviewReport.shopping_mall_review_id == Review.id,
            ReviewReport.reason_category == filters["reason"],
            ReviewReport.deleted_at.is_(None),
        ]
        if queue != "decided":
            reported.append(ReviewReport.resolved == false())
        statement = statement.where(exists().where(*reported))
    if queue == "decided" and filters.get("decided_by") == "me":
        statement = statement.where(ReviewModeration.moderator_user_id == user_id)
    return statement


def filtered_statement(queue: str, filters: dict, *, user_id=None, columns=None):
    """``select(columns)`` of the queue's items with ``filters`` (default: the item ids)."""
    columns = columns or (ID_COLUMNS[queue],)
    return _filtered(_base(queue, *columns), queue, filters, user_id=user_id)


# --- one page of a queue -----------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    """One line of a moderation queue."""

    review: Review
    product_title: str
    sku_code: str
    store_name: str | None
    author: str | None
    media: int
    open_reports: int
    first_reported: datetime | None
    holder: Person | None  # who holds a live claim on the item, if anyone
    holder_id: str | None
    reply: SellerReply | None = None
    moderation: ReviewModeration | None = None
    moderator: Person | None = None

    @property
    def item_id(self) -> str:
        return self.reply.id if self.reply is not None else self.review.id

    @property
    def state_label(self) -> str:
        return states.label(states.REVIEW_MACHINE, self.review.state)


Author = aliased(User, name="author")
Holder = aliased(User, name="holder")
Moderator = aliased(User, name="moderator")


def queue_page(session, queue: str, filters: dict, ordering, *, user_id, cursor, limit, now=None):
    """One page of ``queue`` with ``filters`` in ``ordering``; one query."""
    now = now or utcnow()
    item = ID_COLUMNS[queue]
    columns = [
        Review,
        Product.title,
        Sku.sku_code,
        Store.name,
        func.coalesce(Author.name, Author.email),
        MEDIA_COUNT,
        OPEN_REPORTS,
        FIRST_REPORTED,
        Holder.name,
        Holder.id,
        ordering.key.column.label("sort_key"),
        item.label("item_id"),
    ]
    if queue == "replies":
        columns.append(SellerReply)
    if queue == "decided":
        columns += [ReviewModeration, Moderator.name, Moderator.email]
    columns.append(Holder.email)  # last: the holder is named, their email on hover
    statement = (
        filtered_statement(queue, filters, user_id=user_id, columns=columns)
        .join(Product, Product.id == Review.product_id)
        .join(Sku, Sku.id == Review.sku_id)
        .outerjoin(Store, Store.id == Product.shopping_mall_store_id)
        .outerjoin(Author, Author.id == Review.author_user_id)
        .outerjoin(
            Claim,
            and_(
                Claim.entity_table == entity_table(queue),
                Claim.entity_id == (SellerReply.id if queue == "replies" else Review.id),
                Claim.expires_at > now,
            ),
        )
        .outerjoin(Holder, Holder.id == Claim.claimed_by_user_id)
    )
    if queue == "decided":
        statement = statement.outerjoin(
            Moderator, Moderator.id == ReviewModeration.moderator_user_id
        )
    page = keyset_page(
        session,
        statement,
        ordering,
        cursor=cursor,
        limit=limit,
        key_of=lambda row: (row.sort_key, row.item_id),
    )
    page.rows = [
        QueueRow(
            review=row[0],
            product_title=row[1],
            sku_code=row[2],
            store_name=row[3],
            author=row[4],
            media=row[5] or 0,
            open_reports=row[6] or 0,
            first_reported=row[7],
            holder=Person(row[8], row[-1]) if row[-1] else None,
            holder_id=row[9],
            reply=row[12] if queue == "replies" else None,
            moderation=row[12] if queue == "decided" else None,
            moderator=Person(row[13], row[14]) if queue == "decided" and row[14] else None,
        )
        for row in page.rows
    ]
    return page


def count_items(session, queue: str, filters: dict, *, user_id=None) -> QueueCount:
    """How many items ``queue`` holds with ``filters`` (exact to 10,000)."""
    return capped_count(session, filtered_statement(queue, filters, user_id=user_id), estimate=True)


@dataclass(frozen=True)
class QueueTab:
    key: str
    label: str
    hint: str
    count: QueueCount
    oldest: datetime | None  # the oldest waiting item (None for the decided list)

    def age(self, now: datetime) -> str | None:
        """How long the oldest item has waited, in a queue's words ("3 days", "5 h", "20 min")."""
        return age_words(now - self.oldest) if self.oldest else None


def age_words(waited: timedelta) -> str:
    """A waiting time as a queue reads it: days past two days (to the nearest day, as the
    home's "3 days ago" reads the same wait), else hours, else minutes."""
    minutes = max(0, int(waited.total_seconds() // 60))
    if minutes >= 48 * 60:
        return f"{round(minutes / (24 * 60))} days"
    if minutes >= 60:
        return f"{minutes // 60} h"
    return f"{minutes} min"


AGE_COLUMNS = {
    "pending": Review.created_at,
    "reported": ReviewReport.created_at,
    "replies": SellerReply.created_at,
}


def _oldest(queue: str):
    """The age column's minimum over the queue, as a scalar expression."""
    if queue == "reported":
        # The oldest open report (the partial index answers).
        return select(func.min(ReviewReport.created_at)).where(OPEN_REPORT).scalar_subquery()
    return _base(queue, func.min(AGE_COLUMNS[queue])).scalar_subquery()


def queue_tabs(session) -> list[QueueTab]:
    """The four queues with their counts and the age of their oldest item: one statement."""
    counted = {key: filtered_statement(key, {}) for key in QUEUES}
    ages = {key: _oldest(key) for key in QUEUES if key in CLAIMABLE}
    counts, oldest = capped_counts(session, counted, estimate=True, also=ages)
    return [
        QueueTab(key, label, QUEUE_HINTS[key], counts[key], oldest.get(key))
        for key, label in QUEUES.items()
    ]


# --- claiming ----------------------------------------------------------------------------------


def claim_settings(session) -> tuple[int, int]:
    """(batch size, minutes) from ``moderation.claim.batch_size`` / ``.minutes``."""
    reader = settings.reader(session)
    return (
        reader.integer(states.MODERATION_CLAIM_BATCH_SIZE),
        reader.integer(states.MODERATION_CLAIM_MINUTES),
    )


def claim_batch(
    session, queue: str, filters: dict | None = None, *, actor, now: datetime | None = None
) -> list[Claim]:
    """Top the moderator's claims in ``queue`` up to the batch size (with ``filters``: the
    next matching items) and renew the ones held; their live claims, in the queue's order."""
    if queue not in CLAIMABLE:
        raise NotFound("Only the pending, reported and seller-reply queues are claimed.")
    now = now or utcnow()
    size, minutes = claim_settings(session)
    claims.renew(session, queue=claim_queue(queue), actor=actor, minutes=minutes, now=now)
    candidates = filtered_statement(queue, filters or {}, user_id=actor.id).order_by(
        *CLAIM_ORDERS[queue]
    )
    return claims.claim_next(
        session,
        queue=claim_queue(queue),
        entity_table=entity_table(queue),
        candidates=candidates,
        limit=size,
        actor=actor,
        minutes=minutes,
        now=now,
    )


def renew_claims(session, queue: str, *, actor, now: datetime | None = None) -> None:
    """Keep the moderator's claims in ``queue`` while they work (not audited)."""
    if queue in CLAIMABLE:
        _, minutes = claim_settings(session)
        claims.renew(session, queue=claim_queue(queue), actor=actor, minutes=minutes, now=now)


def review_of(session, queue: str, entity_id: str) -> str:
    """The review an item of ``queue`` is about (a reply's review; a review itself)."""
    if queue != "replies":
        return entity_id
    review_id = session.scalar(
        select(SellerReply.shopping_mall_review_id).where(SellerReply.id == entity_id)
    )
    if review_id is None:
        raise NotFound("That seller reply does not exist (any more).")
    return review_id


@dataclass(frozen=True)
class HeldItem:
    entity_id: str
    review_id: str
    expires_at: datetime


def held_items(session, queue: str, *, actor, now=None) -> list[HeldItem]:
    """The moderator's live claims in ``queue`` with the review each one is about."""
    if queue not in CLAIMABLE:
        return []
    now = now or utcnow()
    statement = select(Claim.entity_id, Claim.expires_at).where(
        Claim.claimed_by_user_id == actor.id,
        Claim.queue == claim_queue(queue),
        Claim.expires_at > now,
    )
    if queue == "replies":
        statement = statement.add_columns(SellerReply.shopping_mall_review_id).join(
            SellerReply, SellerReply.id == Claim.entity_id
        )
    rows = session.execute(statement.order_by(Claim.claimed_at, Claim.id)).all()
    return [HeldItem(row[0], row[2] if queue == "replies" else row[0], row[1]) for row in rows]


# --- the focus screen --------------------------------------------------------------------------


@dataclass
class AuthorHistory:
    """What the author has written before and how it went."""

    reviews: int = 0
    by_state: dict = field(default_factory=dict)
    reports: int = 0
    upheld_reports: int = 0
    recent: list = field(default_factory=list)  # (review, product title)


@dataclass
class Focus:
    """Everything a moderator reads to decide one review."""

    review: Review
    product: Product
    product_image: str | None
    sku: Sku
    store: Store | None
    order_item: OrderItem | None
    author: User | None
    media: list
    reports: list  # (report, reporter name or email, resolver: a Person or None)
    decisions: list  # (moderation row, moderator: a Person or None)
    reply: SellerReply | None
    history: AuthorHistory
    holder: Claim | None
    holder_name: Person | None  # who holds the claim: named, their email on hover
    sku_options: str | None = None  # the SKU's option values, "Red / S"

    @property
    def option_summary(self) -> str | None:
        """The options reviewed: as bought (the order line), else the SKU's own."""
        bought = self.order_item.option_summary if self.order_item else None
        return bought or self.sku_options or (self.order_item.sku_name if self.order_item else None)

    @property
    def open_reports(self) -> list:
        return [r for r in self.reports if not r[0].resolved]

    @property
    def state_label(self) -> str:
        return states.label(states.REVIEW_MACHINE, self.review.state)

    @property
    def effective(self):
        return next((d for d in self.decisions if d[0].effective), None)

    @property
    def report_reason(self) -> str | None:
        """The reason most open reports give (what upholding them removes the review for)."""
        reasons = [r[0].reason_category for r in self.open_reports]
        return max(set(reasons), key=reasons.count) if reasons else None


SAFE_MEDIA = ("https://", "http://")


def safe_uri(uri: str | None) -> str | None:
    """A media URI fit for ``src``/``href``: web addresses only (no ``javascript:``, ``data:``)."""
    uri = (uri or "").strip()
    if not uri.lower().startswith(SAFE_MEDIA) or any(c in uri for c in "\n\r\t\\ <>\"'"):
        return None
    return uri


def focus(session, review_id: str, *, now: datetime | None = None) -> Focus:
    """The focus screen's read model of one review (a fixed number of queries); 404 if absent."""
    now = now or utcnow()
    row = session.execute(
        select(Review, Product, Sku, Store, OrderItem, Author)
        .join(Product, Product.id == Review.product_id)
        .join(Sku, Sku.id == Review.sku_id)
        .outerjoin(Store, Store.id == Product.shopping_mall_store_id)
        .outerjoin(OrderItem, OrderItem.id == Review.order_item_id)
        .outerjoin(Author, Author.id == Review.author_user_id)
        .where(Review.id == review_id)
    ).first()
    if row is None:
        raise NotFound("That review does not exist.")
    review, product, sku, store, order_item, author = row
    image = session.scalar(
        select(ProductMedia.uri)
        .where(
            ProductMedia.shopping_mall_product_id == product.id,
            ProductMedia.deleted_at.is_(None),
            ProductMedia.kind == "image",
        )
        .order_by(ProductMedia.is_primary.desc(), ProductMedia.display_order, ProductMedia.id)
        .limit(1)
    )
    media = list(
        session.scalars(
            select(ReviewMedia)
            .where(
                ReviewMedia.shopping_mall_review_id == review.id, ReviewMedia.deleted_at.is_(None)
            )
            .order_by(ReviewMedia.position)
        )
    )
    Reporter = aliased(User, name="reporter")
    Resolver = aliased(User, name="resolver")
    reports = session.execute(
        select(
            ReviewReport,
            func.coalesce(Reporter.name, Reporter.email),
            Resolver.name,
            Resolver.email,
        )
        .outerjoin(Reporter, Reporter.id == ReviewReport.reporter_user_id)
        .outerjoin(Resolver, Resolver.id == ReviewReport.resolver_user_id)
        .where(ReviewReport.shopping_mall_review_id == review.id, ReviewReport.deleted_at.is_(None))
        .order_by(ReviewReport.resolved, ReviewReport.created_at.desc(), ReviewReport.id)
    ).all()
    decisions = session.execute(
        select(ReviewModeration, Moderator.name, Moderator.email)
        .outerjoin(Moderator, Moderator.id == ReviewModeration.moderator_user_id)
        .where(ReviewModeration.shopping_mall_review_id == review.id)
        .order_by(ReviewModeration.created_at.desc(), ReviewModeration.id.desc())
    ).all()
    # Staff by name, their email on hover (core.people.Person).
    reports = [
        (report, reporter, Person(name, email) if email else None)
        for report, reporter, name, email in reports
    ]
    decisions = [(d, Person(name, email) if email else None) for d, name, email in decisions]
    options = session.scalars(
        select(OptionValue.value)
        .join(SkuOptionValue, SkuOptionValue.shopping_mall_option_value_id == OptionValue.id)
        .join(OptionType, OptionType.id == SkuOptionValue.shopping_mall_option_type_id)
        .where(SkuOptionValue.shopping_mall_sku_id == sku.id, SkuOptionValue.deleted_at.is_(None))
        .order_by(OptionType.sort_order, OptionType.name)
    ).all()
    reply = session.scalar(
        select(SellerReply).where(
            SellerReply.shopping_mall_review_id == review.id, SellerReply.deleted_at.is_(None)
        )
    )
    holder = session.execute(
        select(Claim, Holder.name, Holder.email)
        .join(Holder, Holder.id == Claim.claimed_by_user_id)
        .where(
            Claim.entity_table.in_((REVIEW_TABLE, REPLY_TABLE)),
            Claim.entity_id.in_([review.id, reply.id if reply else review.id]),
            Claim.expires_at > now,
        )
        .limit(1)
    ).first()
    return Focus(
        review=review,
        product=product,
        product_image=safe_uri(image),
        sku=sku,
        store=store,
        order_item=order_item,
        author=author,
        media=media,
        reports=[tuple(r) for r in reports],
        decisions=[tuple(d) for d in decisions],
        reply=reply,
        history=author_history(session, review),
        holder=holder[0] if holder else None,
        holder_name=Person(holder[1], holder[2]) if holder else None,
        sku_options=" / ".join(options) or None,
    )


def author_history(session, review: Review, *, recent: int = 5) -> AuthorHistory:
    """The author's other reviews (counts by state, the latest few) and reports against them."""
    history = AuthorHistory()
    others = and_(Review.author_user_id == review.author_user_id, Review.id != review.id)
    for state, count in session.execute(
        select(Review.state, func.count()).where(others).group_by(Review.state)
    ):
        history.by_state[state] = count
        history.reviews += count
    history.recent = [
        tuple(row)
        for row in session.execute(
            select(Review, Product.title)
            .join(Product, Product.id == Review.product_id)
            .where(others)
            .order_by(Review.created_at.desc(), Review.id.desc())
            .limit(recent)
        )
    ]
    reports = session.execute(
        select(ReviewReport.decision, func.count())
        .join(Review, Review.id == ReviewReport.shopping_mall_review_id)
        .where(others, ReviewReport.deleted_at.is_(None))
        .group_by(ReviewReport.decision)
    ).all()
    history.reports = sum(count for _, count in reports)
    history.upheld_reports = sum(count for decision, count in reports if decision == "removed")
    return history
