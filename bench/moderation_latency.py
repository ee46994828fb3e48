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
import statistics
import time

import flask_migrate
from sqlalchemy import event, func, select, text

from mallconsole import create_app
from mallconsole.extensions import db
from mallconsole.models import Order, Review, ReviewReport

PASSWORD = "demo-console-pass"
TABLES = (
    "shopping_mall_reviews",
    "shopping_mall_review_reports",
    "shopping_mall_review_moderations",
    "shopping_mall_seller_replies",
    "shopping_mall_review_media",
)


def _csrf(html: str) -> str:
    marker = 'name="csrf-token" content="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


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
        engine = db.engine
    print(
        "data: " + ", ".join(f"{t.removeprefix('shopping_mall_')} {n:,}" for t, n in sizes.items())
    )

    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    signed = client.post(
        "/login", data={"email": args.email, "password": PASSWORD, "csrf_token": _csrf(login)}
    )
    if signed.status_code != 302:
        raise SystemExit(f"could not sign in as {args.email} ({signed.status_code})")

    timings: dict[str, list[float]] = {path: [] for path in paths}
    queries: dict[str, int] = {}
    for path in paths:  # warm-up: templates compiled, caches filled
        for _ in range(2):
            statements.clear()
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}")
            queries[path] = len(statements)
    for _ in range(args.runs):
        for path in paths:
            started = time.perf_counter()
            client.get(path)
            timings[path].append((time.perf_counter() - started) * 1000)
    backend = args.database_url.split(":", 1)[0]
    for path, values in timings.items():
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        print(
            f"{path} on {backend}: median {statistics.median(values):.1f} ms, "
            f"p95 {p95:.1f} ms over {len(values)} fetches, {queries[path]} SQL statements"
        )


if __name__ == "__main__":
    main()
