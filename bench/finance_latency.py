"""Time the refund queue and refund screens as finance@demo.mall: median and p95 per page.

    .venv/bin/python bench/finance_latency.py --database-url postgresql+psycopg://…/mc_bench \
        --runs 50

Picks the pages from the demo world (seed it first: ``flask --app wsgi db upgrade`` and
``flask --app wsgi seed-demo --scale 10`` under ``DATABASE_URL``): the queue's busiest tabs,
a filtered queue, and the screens of a request waiting for a decision, one waiting for its
second approval and one executed (each the one of its state with the most lines). Then times
them with ``page_latency.py`` (real sign-in, the production code path).
"""

from __future__ import annotations

import argparse
import sys

from sqlalchemy import func, select, text

from mallconsole import create_app
from mallconsole.extensions import db
from mallconsole.models import RefundItem, RefundRequest

FINANCE = "finance@demo.mall"
QUEUES = (
    "/finance/refunds",
    "/finance/refunds?tab=all",
    "/finance/refunds?tab=executed&sort=-amount",
    "/finance/refunds?tab=all&min_amount=100&reason=damaged&age=30d",
)


def _screens(session) -> list[str]:
    paths = []
    for status in ("pending", "pending_second_approval", "executed"):
        number = session.scalar(
            select(RefundRequest.refund_request_number)
            .join(RefundItem, RefundItem.shopping_mall_refund_request_id == RefundRequest.id)
            .where(RefundRequest.status == status)
            .group_by(RefundRequest.id, RefundRequest.refund_request_number)
            .order_by(func.count().desc(), RefundRequest.refund_request_number)
            .limit(1)
        )
        if number:
            paths.append(f"/finance/refunds/{number}")
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "EMBEDDED_SCHEDULER": False})
    with app.app_context():
        paths = [*QUEUES, *_screens(db.session)]
        counts = {
            table: db.session.scalar(text(f"SELECT count(*) FROM {table}"))
            for table in ("shopping_mall_refund_requests", "shopping_mall_payment_refunds")
        }
        db.session.remove()
    print("refund data: " + ", ".join(f"{t.removeprefix('shopping_mall_')} {n:,}"
                                      for t, n in counts.items()))  # fmt: skip
    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    import page_latency

    sys.argv = [
        "page_latency.py", "--database-url", args.database_url, "--as", FINANCE,
        "--runs", str(args.runs), *paths,
    ]  # fmt: skip
    page_latency.main()


if __name__ == "__main__":
    main()
