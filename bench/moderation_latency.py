"""Time the moderation screens as a signed-in moderator: median, p95 and SQL statements per page,
with the data size.

    .venv/bin/python bench/moderation_latency.py \
        --database-url postgresql+psycopg://…/mallconsole_bench --seed-scale 10 --runs 30

Serves the app in-process (real sign-in, CSRF, sessions, transactions, templates) and fetches
each queue (pending, reported, seller replies, recently decided) and two focus screens (the most
reported review, and the oldest pending review) ``--runs`` times in turn after two warm-up
fetches. The focus screens are read with ``queue=`` left out, so no claim is taken or renewed.
"""

from __future__ import annotations

import argparse
import sys

import flask_migrate
from sqlalchemy import func, select, text

from mallconsole import create_app
from mallconsole.extensions import db
from mallconsole.models import Order, Review, ReviewReport

TABLES = (
    "shopping_mall_reviews",
    "shopping_mall_review_reports",
    "shopping_mall_review_moderations",
    "shopping_mall_seller_replies",
    "shopping_mall_review_media",
)


def _pages(session) -> list[str]:
    reported = session.scalar(
        select(ReviewReport.shopping_mall_review_id)
        .where(ReviewReport.resolved.is_(False))
        .group_by(ReviewReport.shopping_mall_review_id)
        .order_by(func.count().desc())
        .limit(1)
    )
    pending = session.scalar(
        select(Review.id).where(Review.state == "pending").order_by(Review.created_at).limit(1)
    )
    return [
        "/moderation/reviews?queue=pending",
        "/moderation/reviews?queue=reported",
        "/moderation/reviews?queue=replies",
        "/moderation/reviews?queue=decided",
        f"/moderation/reviews/{reported}",
        f"/moderation/reviews/{pending}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--as", dest="email", default="moderator@demo.mall")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seed-scale", help="seed the demo world at this scale when empty")
    args = parser.parse_args()
    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    import page_latency

    seed = ["--seed-scale", args.seed_scale] if args.seed_scale else []
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "EMBEDDED_SCHEDULER": False})
    with app.app_context():
        flask_migrate.upgrade()
        empty = not db.session.scalar(select(func.count()).select_from(Order))
        db.session.remove()
        if empty and args.seed_scale:
            result = app.test_cli_runner().invoke(args=["seed-demo", "--scale", args.seed_scale])
            if result.exit_code:
                raise SystemExit(result.output)
        paths = _pages(db.session)
        sizes = {t: db.session.scalar(text(f"SELECT count(*) FROM {t}")) for t in TABLES}
        db.session.remove()
    print(
        "review data: "
        + ", ".join(f"{t.removeprefix('shopping_mall_')} {n:,}" for t, n in sizes.items())
    )
    sys.argv = [
        "page_latency.py", "--database-url", args.database_url, "--as", args.email,
        "--runs", str(args.runs), *seed, *paths,
    ]  # fmt: skip
    page_latency.main()


if __name__ == "__main__":
    main()
