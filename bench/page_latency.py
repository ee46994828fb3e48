"""Time console pages as a signed-in staff member: median, p95 and SQL statements per page, with
the data size.

    .venv/bin/python bench/page_latency.py --database-url postgresql+psycopg://…/mallconsole_bench \
        --seed-scale 10 --as support@demo.mall --runs 50 \
        /support/cases?queue=all /support/cases?queue=unassigned CASE

Serves the app in-process (the production code path: real sign-in, CSRF, sessions,
transactions, templates) and fetches each page ``--runs`` times in turn after two warm-up
fetches. ``--seed-scale`` migrates and seeds the database first when it holds no demo world.
Page arguments may name a record instead of a path: ``CASE`` (the open case with the longest
timeline), ``CUSTOMER`` (the customer with the most orders), ``ORDER`` (the order with the most
items).
"""

from __future__ import annotations

import argparse
import statistics
import time

import flask_migrate
from sqlalchemy import event, func, select, text

from mallconsole import create_app
from mallconsole.extensions import db
from mallconsole.models import Order, OrderItem, SupportCase, SupportCaseEvent

PASSWORD = "demo-console-pass"


def _named_paths(session) -> dict:
    case_id = session.scalar(
        select(SupportCaseEvent.shopping_mall_support_case_id)
        .join(SupportCase, SupportCase.id == SupportCaseEvent.shopping_mall_support_case_id)
        .where(SupportCase.status.in_(("open", "pending", "on_hold")))
        .group_by(SupportCaseEvent.shopping_mall_support_case_id)
        .order_by(func.count().desc())
        .limit(1)
    )
    customer_id = session.scalar(
        select(Order.shopping_mall_user_id)
        .group_by(Order.shopping_mall_user_id)
        .order_by(func.count().desc())
        .limit(1)
    )
    order_id = session.scalar(
        select(OrderItem.shopping_mall_order_id)
        .group_by(OrderItem.shopping_mall_order_id)
        .order_by(func.count().desc())
        .limit(1)
    )
    return {
        "CASE": f"/support/cases/{case_id}",
        "CUSTOMER": f"/support/customers/{customer_id}",
        "ORDER": f"/support/orders/{order_id}",
    }


def _csrf(html: str) -> str:
    marker = 'name="csrf-token" content="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="+")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--as", dest="email", default="support@demo.mall")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seed-scale", help="seed the demo world at this scale when empty")
    args = parser.parse_args()

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "EMBEDDED_SCHEDULER": False})
    with app.app_context():
        flask_migrate.upgrade()
        empty = not db.session.scalar(select(func.count()).select_from(Order))
        db.session.remove()  # no open transaction while seed-demo alters the tables
        if empty and args.seed_scale:
            result = app.test_cli_runner().invoke(args=["seed-demo", "--scale", args.seed_scale])
            if result.exit_code:
                raise SystemExit(result.output)
        names = _named_paths(db.session)
        sizes = {
            table: db.session.scalar(text(f"SELECT count(*) FROM {table}"))
            for table in (
                "shopping_mall_orders",
                "shopping_mall_support_cases",
                "shopping_mall_support_case_events",
                "shopping_mall_users",
            )
        }
        db.session.remove()
        engine = db.engine
    print(
        "data: " + ", ".join(f"{t.removeprefix('shopping_mall_')} {n:,}" for t, n in sizes.items())
    )

    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    signed = client.post(
        "/login", data={"email": args.email, "password": PASSWORD, "csrf_token": _csrf(login)}
    )
    if signed.status_code != 302:
        raise SystemExit(f"could not sign in as {args.email} ({signed.status_code})")

    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    paths = [names.get(page, page) for page in args.pages]
    timings: dict[str, list[float]] = {path: [] for path in paths}
    queries: dict[str, int] = {}
    for path in paths:  # warm-up: templates compiled, caches filled
        for _ in range(2):
            statements.clear()
            status = client.get(path).status_code
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
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
