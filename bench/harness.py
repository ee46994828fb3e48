"""The console's pages under load: median, p95, requests/s, size, SQL statements and app CPU
per request, over a PostgreSQL demo world at marketplace scale (bench/README.md).

    .venv/bin/python bench/harness.py --scale 10 --cases 1000000 --clients 8 --requests 200

1. Builds the database, or reuses it when it already holds a world of that scale: migrates,
   seeds (`flask seed-demo --scale N`, timed), grows the case table to ``--cases`` rows with
   the seeded cases' age, status and priority mix, tops one open case up to 500 timeline
   entries, and runs ``ANALYZE``.
2. Starts the console under gunicorn (``gunicorn.conf.py``, the production settings, on
   127.0.0.1 only) and signs in as each role, passing MFA with the accounts' TOTP secrets.
3. Drives every page with ``--clients`` concurrent clients for ``--requests`` requests each
   page, then reads the console's own figures from ``/metrics`` (SQL statements per request)
   and the workers' CPU time from ``/proc``.
4. Optionally the peers' case lists beside it (``--peers``: bench/peers).

Writes ``bench/results/<date>-scale<N>.md`` and ``.json`` (machine, data size, every figure).
Nothing listens beyond loopback, and every run stops by itself.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import platform
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/mallconsole_bench"
PASSWORD = "demo-console-pass"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
ROLES = {
    "support": "support@demo.mall",
    "moderation": "moderator@demo.mall",
    "finance": "finance@demo.mall",
    "admin": "admin@demo.mall",
    "operations": "ops@demo.mall",
}
DEEP_ROW = 500_000
LONG_TIMELINE = 500
SIZE_TABLES = (
    "shopping_mall_orders",
    "shopping_mall_reviews",
    "shopping_mall_support_cases",
    "shopping_mall_support_case_events",
    "shopping_mall_audit_events",
    "shopping_mall_users",
)


# --- the database ---------------------------------------------------------------------------


def _engine(url: str, **kwargs):
    from sqlalchemy import create_engine

    return create_engine(url, **kwargs)


def _flask(*args: str, url: str, env: dict | None = None) -> str:
    environment = {**os.environ, "DATABASE_URL": url, "MALLCONSOLE_CONFIG": "development"}
    environment.update(env or {})
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT, env=environment, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _marker(url: str) -> dict:
    """What this harness wrote on the database last time (its comment), or {}."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    engine = _engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        )
        comment = conn.scalar(
            text(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                "WHERE datname = :name"
            ),
            {"name": target.database},
        )
        if not exists:
            conn.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    engine.dispose()
    try:
        return json.loads(comment or "{}")
    except ValueError:
        return {}


def _write_marker(url: str, marker: dict) -> None:
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    engine = _engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        literal = json.dumps(marker).replace("'", "''")
        conn.exec_driver_sql(f"COMMENT ON DATABASE \"{name}\" IS '{literal}'")
    engine.dispose()


def prepare_database(url: str, scale: str, cases: int, log) -> dict:
    """The database at ``scale`` with ``cases`` support cases; seeds only what is missing."""
    marker = _marker(url)
    if marker.get("scale") != scale:
        log(f"Seeding a scale-{scale} demo world (flask seed-demo) …")
        _flask("db", "upgrade", url=url)
        started = time.perf_counter()
        _flask("seed-demo", "--scale", scale, "--reset", url=url)
        marker = {"scale": scale, "seed_seconds": round(time.perf_counter() - started, 1)}
        _write_marker(url, marker)
        log(f"  seeded in {marker['seed_seconds']} s")
    else:
        _flask("db", "upgrade", url=url)
    engine = _engine(url)
    with engine.begin() as conn:
        grown = _grow_cases(conn, cases, log)
        _long_timeline(conn, log)
    if grown or not marker.get("analyzed"):
        log("ANALYZE …")
        with _engine(url, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.exec_driver_sql("ANALYZE")
        marker["analyzed"] = True
        _write_marker(url, marker)
    with engine.connect() as conn:
        sizes = {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() for t in SIZE_TABLES}
        sizes["all rows"] = int(
            conn.exec_driver_sql(
                "SELECT sum(n_live_tup) FROM pg_stat_user_tables "
                "WHERE relname LIKE 'shopping_mall_%%'"
            ).scalar()
            or 0
        )
    engine.dispose()
    return {**marker, "sizes": sizes}


def _other_columns(conn, table: str, leave_out: tuple[str, ...]) -> list[str]:
    """The columns of ``table`` but ``leave_out``, in table order (what a copy carries over)."""
    rows = conn.exec_driver_sql(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %(table)s "
        "ORDER BY ordinal_position",
        {"table": table},
    )
    return [name for (name,) in rows if name not in leave_out]


def _grow_cases(conn, target: int, log) -> bool:
    """Copies of the seeded cases (same age, status, priority, people) until ``target``."""
    have = conn.exec_driver_sql("SELECT count(*) FROM shopping_mall_support_cases").scalar()
    if have >= target:
        return False
    log(f"Growing the case table from {have:,} to {target:,} …")
    copied = _other_columns(conn, "shopping_mall_support_cases", ("id", "case_number"))
    names = ", ".join(f'"{c}"' for c in copied)
    originals = conn.exec_driver_sql(
        "SELECT count(*) FROM shopping_mall_support_cases WHERE case_number NOT LIKE '%%-9______'"
    ).scalar()
    rounds = -(-(target - have) // originals)
    # Numbers PREFIX-YYYYMMDD-9NNNNNN (seven digits): the day of the copy's original, and
    # never one the console hands out (six digits).
    conn.exec_driver_sql(
        f"""
        INSERT INTO shopping_mall_support_cases (id, case_number, {names})
        SELECT gen_random_uuid()::text,
               split_part(c.case_number, '-', 1) || '-' || split_part(c.case_number, '-', 2)
                 || '-9' || lpad((row_number() OVER (
                      PARTITION BY split_part(c.case_number, '-', 2)
                      ORDER BY g, c.id) + coalesce(m.top, 0))::text, 6, '0'),
               {", ".join(f"c.{n}" for n in (f'"{c}"' for c in copied))}
        FROM (SELECT * FROM shopping_mall_support_cases
              WHERE case_number NOT LIKE '%%-9______') c
        CROSS JOIN generate_series(1, {rounds}) g
        LEFT JOIN (SELECT split_part(case_number, '-', 2) AS day,
                          max(right(case_number, 6)::int) AS top
                   FROM shopping_mall_support_cases WHERE case_number LIKE '%%-9______'
                   GROUP BY 1) m ON m.day = split_part(c.case_number, '-', 2)
        ORDER BY g, c.id
        LIMIT {target - have}
        """
    )
    return True


def _long_timeline(conn, log) -> None:
    """One open case with ``LONG_TIMELINE`` timeline entries (copies of its own messages)."""
    row = conn.exec_driver_sql(
        "SELECT c.id, count(e.id) FROM shopping_mall_support_cases c "
        "JOIN shopping_mall_support_case_events e ON e.shopping_mall_support_case_id = c.id "
        "WHERE c.status = 'open' AND c.deleted_at IS NULL GROUP BY c.id "
        "ORDER BY count(e.id) DESC, c.id LIMIT 1"
    ).one()
    case_id, entries = row
    if entries >= LONG_TIMELINE:
        return
    log(f"Topping case {case_id} up to {LONG_TIMELINE} timeline entries …")
    copied = _other_columns(conn, "shopping_mall_support_case_events", ("id", "created_at"))
    names = ", ".join(f'"{c}"' for c in copied)
    conn.exec_driver_sql(
        f"""
        INSERT INTO shopping_mall_support_case_events (id, created_at, {names})
        SELECT gen_random_uuid()::text,
               e.created_at - make_interval(mins => g), {", ".join(f'e."{c}"' for c in copied)}
        FROM (SELECT * FROM shopping_mall_support_case_events
              WHERE shopping_mall_support_case_id = %(case)s
              ORDER BY created_at LIMIT 1) e
        CROSS JOIN generate_series(1, %(missing)s) g
        """,
        {"case": case_id, "missing": LONG_TIMELINE - entries},
    )


def prepare_accounts(url: str, secret_key: str) -> None:
    """The bench accounts pass MFA with the demo TOTP secret, encrypted for this server."""
    from mallconsole.services.identity.secretbox import encrypt_secret

    config = {"SECRET_KEY": secret_key, "MFA_ENCRYPTION_KEY": None}
    engine = _engine(url)
    with engine.begin() as conn:
        for email in ROLES.values():
            conn.exec_driver_sql(
                "UPDATE shopping_mall_users SET mfa_enabled = true, mfa_method = 'totp', "
                "mfa_secret_encrypted = %(secret)s, mfa_last_used_step = NULL, "
                "lockout_until = NULL WHERE email = %(email)s",
                {"secret": encrypt_secret(config, TOTP_SECRET), "email": email},
            )
    engine.dispose()


# --- the server -----------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    metrics_token: str
    secret_key: str

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def workers(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(p) for p in path.read_text().split()] if path.exists() else []


def start_server(url: str, port: int, workers: int, secret_key: str, logfile: Path) -> Server:
    token = secrets.token_urlsafe(24)
    env = {
        **os.environ,
        "MALLCONSOLE_CONFIG": "production",
        "DATABASE_URL": url,
        "SECRET_KEY": secret_key,
        "TRUSTED_HOSTS": "127.0.0.1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "METRICS_TOKENS": token,
        "EMBEDDED_SCHEDULER": "0",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.pop("METRICS_BIND", None)
    # Workers are not recycled during a run: their CPU time is read from /proc.
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--max-requests", "0", "wsgi:app"],
        cwd=ROOT, env=env, stdout=logfile.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    server = Server(process, port, token, secret_key)
    for _ in range(120):
        try:
            if fetch(port, "/healthz")[0] == 200:
                return server
        except OSError:
            pass
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped; see {logfile}")
        time.sleep(0.5)
    server.stop()
    raise SystemExit(f"gunicorn did not answer; see {logfile}")


# --- HTTP -------------------------------------------------------------------------------------


def fetch(port: int, path: str, *, cookie: str = "", method: str = "GET", body=None,
          headers: dict | None = None) -> tuple[int, bytes, dict]:  # fmt: skip
    """One request on a new loopback connection: (status, body, headers)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    sent = {"Host": "127.0.0.1", **(headers or {})}
    if cookie:
        sent["Cookie"] = cookie
    if body is not None:
        body = urlencode(body)
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body, headers=sent)
    response = connection.getresponse()
    data = response.read()
    answer = {k.lower(): v for k, v in response.getheaders()}
    answer["set-cookie-all"] = response.headers.get_all("Set-Cookie") or []
    connection.close()
    return response.status, data, answer


def _csrf(html: bytes) -> str:
    found = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        rb'name="csrf-token" content="([^"]+)"', html
    )
    if not found:
        raise SystemExit("no CSRF token on the sign-in page")
    return found.group(1).decode()


class Browser:
    """Cookies of one signed-in person (the secure flag is honoured by real browsers on https;
    on loopback this client sends them as they are)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    @property
    def cookie(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, path: str, **kwargs):
        status, data, headers = fetch(self.port, path, cookie=self.cookie, **kwargs)
        for line in headers["set-cookie-all"]:
            name, _, rest = line.partition("=")
            value = rest.split(";", 1)[0]
            if value and "max-age=0" not in line.lower():
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return status, data, headers

    def sign_in(self, email: str) -> None:
        import pyotp

        _, page, _ = self.request("/login")
        status, _, headers = self.request(
            "/login", method="POST",
            body={"email": email, "password": PASSWORD, "csrf_token": _csrf(page)},
        )  # fmt: skip
        if status != 302 or "/login/mfa" not in headers.get("location", ""):
            raise SystemExit(f"{email}: the password step answered {status}")
        _, page, _ = self.request("/login/mfa")
        totp = pyotp.TOTP(TOTP_SECRET)
        status, _, _ = self.request(
            "/login/mfa", method="POST", body={"code": totp.now(), "csrf_token": _csrf(page)}
        )
        if status != 302:
            raise SystemExit(f"{email}: the MFA step answered {status}")


# --- the pages --------------------------------------------------------------------------------


@dataclass
class Page:
    name: str
    role: str
    path: str
    fragment: bool = False


def _first(session, statement):
    return session.execute(statement).first()


def _order_pages(session) -> list[Page]:
    """The operations order list (first page, a deep page, filtered) and an order screen."""
    from sqlalchemy import func, select

    from mallconsole.models import Order, OrderItem
    from mallconsole.services.kit.pagination import encode_cursor, parse_ordering
    from mallconsole.services.orders import order_list

    found = [
        Page("orders: first page", "operations", "/operations/orders"),
        Page("orders: on hold", "operations", "/operations/orders?queue=on_hold"),
        Page("orders: delivered, over 100", "operations",
             "/operations/orders?status=delivered&min_amount=100"),
    ]  # fmt: skip
    ordering = parse_ordering(None, order_list.ORDER_SORTS, "-placed", order_list.ORDER_ID)
    statement = select(Order.placed_at, Order.id).where(Order.deleted_at.is_(None))
    total = session.scalar(select(func.count()).select_from(statement.subquery()))
    depth = min(DEEP_ROW, max(total - 25, 0))
    row = _first(session, statement.order_by(*ordering.order_by()).offset(depth).limit(1))
    if depth >= 1000 and row is not None:
        cursor = encode_cursor(ordering, row[0], row[1])
        found.append(
            Page(
                f"orders: page at row {depth:,}", "operations", f"/operations/orders?after={cursor}"
            )
        )
    busiest = session.scalar(
        select(OrderItem.shopping_mall_order_id)
        .group_by(OrderItem.shopping_mall_order_id)
        .order_by(func.count().desc())
        .limit(1)
    )
    if busiest:
        found.append(Page("order screen", "operations", f"/operations/orders/{busiest}"))
    found.append(Page("operations home", "operations", "/operations/"))
    return found


def pages(url: str, secret_key: str, browsers: dict[str, Browser], log) -> list[Page]:
    """Every page of the harness, with the records and cursors it needs from the data."""
    from bs4 import BeautifulSoup
    from sqlalchemy import func, select

    from mallconsole import create_app
    from mallconsole.extensions import db
    from mallconsole.models import (
        Payout,
        PayoutItem,
        RefundRequest,
        ReviewReport,
        SellerLedgerEntry,
        SupportCase,
        SupportCaseEvent,
        User,
    )
    from mallconsole.services.kit.pagination import encode_cursor, parse_ordering
    from mallconsole.services.support import case_queues

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret_key, "EMBEDDED_SCHEDULER": False}
    )
    found: list[Page] = []
    with app.app_context():
        session = db.session
        agent = session.scalar(select(User.id).where(User.email == ROLES["support"]))
        for queue in case_queues.QUEUES:
            path = f"/support/cases?queue={queue}"
            found.append(Page(f"cases: {queue}, first page", "support", path))
            ordering = parse_ordering(
                None,
                case_queues.CASE_SORTS,
                case_queues.DEFAULT_SORTS[queue],
                case_queues.CASE_ID,
            )
            statement = case_queues.queue_statement(
                queue,
                {},
                user_id=agent,
                now=datetime.now(UTC),
                columns=(ordering.key.column, SupportCase.id),
            )
            total = session.scalar(select(func.count()).select_from(statement.subquery()))
            depth = min(DEEP_ROW, max(total - 25, 0))
            row = _first(session, statement.order_by(*ordering.order_by()).offset(depth).limit(1))
            if depth >= 1000 and row is not None:
                cursor = encode_cursor(ordering, row[0], row[1])
                found.append(
                    Page(
                        f"cases: {queue}, page at row {depth:,}",
                        "support",
                        f"{path}&after={cursor}",
                    )
                )
        found.append(
            Page(
                "cases: open + urgent",
                "support",
                "/support/cases?queue=all&status=open&priority=urgent",
            )
        )
        long_case = session.scalar(
            select(SupportCaseEvent.shopping_mall_support_case_id)
            .group_by(SupportCaseEvent.shopping_mall_support_case_id)
            .order_by(func.count().desc())
            .limit(1)
        )
        found.append(
            Page(f"case screen ({LONG_TIMELINE} entries)", "support", f"/support/cases/{long_case}")
        )
        number = session.scalar(select(SupportCase.case_number).order_by(SupportCase.id).limit(1))
        found.append(Page("search: case number", "support", f"/search?q={number}"))
        customer = _first(
            session,
            select(User.email, User.name)
            .where(User.name.is_not(None), User.email.not_like("%@demo.mall"))
            .order_by(User.id)
            .limit(1),
        )
        found.append(Page("search: email", "support", "/search?" + urlencode({"q": customer[0]})))
        found.append(
            Page("search: full name", "support", "/search?" + urlencode({"q": customer[1]}))
        )
        found.append(Page("support home", "support", "/support/"))

        found.append(Page("moderation: pending", "moderation", "/moderation/reviews?queue=pending"))
        found.append(
            Page("moderation: reported", "moderation", "/moderation/reviews?queue=reported")
        )
        reported = session.scalar(
            select(ReviewReport.shopping_mall_review_id)
            .where(ReviewReport.resolved.is_(False))
            .group_by(ReviewReport.shopping_mall_review_id)
            .order_by(func.count().desc())
            .limit(1)
        )
        found.append(
            Page("moderation: focus view", "moderation", f"/moderation/reviews/{reported}")
        )

        found.append(Page("refund queue", "finance", "/finance/refunds"))
        refund = session.scalar(
            select(RefundRequest.id).order_by(RefundRequest.created_at.desc()).limit(1)
        )
        found.append(Page("refund screen", "finance", f"/finance/refunds/{refund}"))
        found.append(Page("approvals inbox", "finance", "/finance/approvals"))
        seller = session.scalar(
            select(SellerLedgerEntry.shopping_mall_seller_id)
            .group_by(SellerLedgerEntry.shopping_mall_seller_id)
            .order_by(func.count().desc())
            .limit(1)
        )
        found.append(Page("seller ledger", "finance", f"/finance/ledgers/{seller}"))
        payout = session.scalar(
            select(PayoutItem.shopping_mall_payout_id)
            .join(Payout, Payout.id == PayoutItem.shopping_mall_payout_id)
            .group_by(PayoutItem.shopping_mall_payout_id)
            .order_by(func.count().desc())
            .limit(1)
        )
        found.append(Page("payout composition", "finance", f"/finance/payouts/{payout}"))
        found.append(Page("finance home", "finance", "/finance/"))
        found.extend(_order_pages(session))
        found.append(Page("admin home", "admin", "/admin/"))
        db.session.remove()

    # Fragments, found on their pages as a browser would find them.
    _, html, _ = browsers["support"].request(f"/support/cases/{long_case}")
    earlier = BeautifulSoup(html, "html.parser").select_one('[hx-get*="/timeline?earlier="]')
    if earlier is not None:
        found.append(Page("fragment: timeline, load earlier", "support", earlier["hx-get"], True))
    _, html, _ = browsers["admin"].request("/admin/flags")
    toggle = BeautifulSoup(html, "html.parser").select_one(
        '[hx-get*="/toggle"], a[href*="/toggle"]'
    )
    if toggle is not None:
        found.append(
            Page("fragment: flag toggle", "admin", toggle.get("hx-get") or toggle["href"], True)
        )
    _, html, _ = browsers["finance"].request("/finance/approvals")
    row = BeautifulSoup(html, "html.parser").select_one('[hx-get*="/approvals/"]')
    if row is not None:
        found.append(Page("fragment: approval row", "finance", row["hx-get"], True))
    log(f"{len(found)} pages")
    return found


# --- load -------------------------------------------------------------------------------------


def _timed(job: tuple) -> list[tuple[float, int, int]]:
    port, path, cookie, headers, count = job
    results = []
    for _ in range(count):
        started = time.perf_counter()
        status, data, _ = fetch(port, path, cookie=cookie, headers=headers)
        results.append(((time.perf_counter() - started) * 1000, status, len(data)))
    return results


def _cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def _postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def _statements(server: Server) -> tuple[float, float]:
    """SQL statements and requests counted so far by the console (its scrapes left out)."""
    _, body, _ = fetch(
        server.port, "/metrics", headers={"Authorization": f"Bearer {server.metrics_token}"}
    )
    total = count = 0.0
    for line in body.decode().splitlines():
        name, _, rest = line.partition("{")
        if 'endpoint="metrics' in rest:
            continue
        if name == "mallconsole_request_sql_statements_sum":
            total += float(line.rsplit(" ", 1)[1])
        elif name == "mallconsole_request_sql_statements_count":
            count += float(line.rsplit(" ", 1)[1])
    return total, count


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@dataclass
class Figures:
    page: str
    role: str
    path: str
    requests: int
    median_ms: float
    p95_ms: float
    per_second: float
    bytes: int
    statements: float | None
    app_cpu_ms: float | None
    db_cpu_ms: float | None
    errors: int = 0
    statuses: dict = field(default_factory=dict)


def drive(port: int, path: str, cookie: str, *, clients: int, requests: int, fragment: bool,
          server: Server | None, pool) -> Figures:  # fmt: skip
    headers = {"HX-Request": "true"} if fragment else {}
    _timed((port, path, cookie, headers, 2))  # warm: templates compiled, caches filled
    share, extra = divmod(requests, clients)
    jobs = [(port, path, cookie, headers, share + (1 if n < extra else 0)) for n in range(clients)]
    before_statements = _statements(server) if server else None
    workers = server.workers() if server else []
    database = _postgres_pids()
    app_before, db_before = _cpu_seconds(workers), _cpu_seconds(database)
    started = time.perf_counter()
    results = [r for chunk in pool.map(_timed, jobs) for r in chunk]
    elapsed = time.perf_counter() - started
    app_cpu = (_cpu_seconds(workers) - app_before) * 1000 / len(results)
    db_cpu = (_cpu_seconds(database) - db_before) * 1000 / len(results)
    statements = None
    if server:
        after = _statements(server)
        counted = after[1] - before_statements[1]
        statements = (after[0] - before_statements[0]) / counted if counted > 0 else None
    latencies = [r[0] for r in results]
    statuses: dict[int, int] = {}
    for _, status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    return Figures(
        page="", role="", path=path, requests=len(results),
        median_ms=round(statistics.median(latencies), 1),
        p95_ms=round(_percentile(latencies, 0.95), 1),
        per_second=round(len(results) / elapsed, 1),
        bytes=round(statistics.median(r[2] for r in results)),
        statements=None if statements is None else round(statements, 1),
        app_cpu_ms=round(app_cpu, 1) if server else None,
        db_cpu_ms=round(db_cpu, 1),
        errors=sum(n for s, n in statuses.items() if s != 200),
        statuses={str(k): v for k, v in statuses.items()},
    )  # fmt: skip


# --- the report -------------------------------------------------------------------------------


def machine() -> dict:
    from sqlalchemy import text

    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "cpu": next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        ),  # fmt: skip
        "python": platform.python_version(),
        "postgresql": _engine(DEFAULT_URL.rsplit("/", 1)[0] + "/postgres")
        .connect()
        .execute(text("SHOW server_version"))
        .scalar(),
        "load average at start": os.getloadavg()[0],
    }


# The console's page beside each of the peers' (bench/peers): the same rows, asked the same way.
COMPARED = {
    "first page": "cases: all, first page",
    "page at row 500,000": "cases: all, page at row",
    "filtered (open + urgent)": "cases: open + urgent",
    "exact case-number search": "search: case number",
}


def _side_by_side(report: dict) -> list[str]:
    names = sorted({f["role"] for f in report["peers"]})
    lines = [
        "| page | Mall Console | " + " | ".join(names) + " | best peer ÷ console |",
        "|---|---:|" + "---:|" * len(names) + "---:|",
    ]
    for peer_page, ours in COMPARED.items():
        console = next((f for f in report["pages"] if f["page"].startswith(ours)), None)
        theirs = {f["role"]: f for f in report["peers"] if f["page"] == peer_page}
        if console is None or not theirs:
            continue
        valid = [f["p95_ms"] for f in theirs.values() if not f["errors"]]
        ratio = f"{min(valid) / console['p95_ms']:.1f}×" if valid and console["p95_ms"] else "—"
        cells = [
            f"{theirs[n]['p95_ms']}" + (" (errors)" if theirs[n]["errors"] else "")
            if n in theirs
            else "—"
            for n in names
        ]
        lines.append(
            f"| {peer_page} | {console['p95_ms']} | " + " | ".join(cells) + f" | {ratio} |"
        )
    return lines


def _or_dash(value) -> str:
    return "—" if value is None else str(value)


def markdown(report: dict) -> str:
    m, data = report["machine"], report["data"]
    sizes = data["sizes"]
    lines = [
        f"# Mall Console under load — {m['date']}",
        "",
        f"{m['cores']} cores ({m['cpu']}), PostgreSQL {m['postgresql']}, Python {m['python']}; "
        f"gunicorn {report['settings']['workers']} sync workers, {report['settings']['clients']} "
        f"clients, {report['settings']['requests']} requests per page; load average at start "
        f"{m['load average at start']:.2f}.",
        "",
        f"Data: demo scale {data['scale']} (seeded in {data.get('seed_seconds', '?')} s), "
        + ", ".join(
            f"{n:,} {t.removeprefix('shopping_mall_').replace('_', ' ')}" for t, n in sizes.items()
        )
        + ".",
        "",
        "| page | median ms | p95 ms | req/s | KB | SQL / req | app CPU ms | db CPU ms | non-200 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for f in report["pages"]:
        lines.append(
            f"| {f['page']} | {f['median_ms']} | {f['p95_ms']} | {f['per_second']} | "
            f"{f['bytes'] / 1024:.1f} | {_or_dash(f['statements'])} | "
            f"{_or_dash(f['app_cpu_ms'])} | {f['db_cpu_ms']} | {f['errors']} |"
        )
    if report.get("peers"):
        lines += ["", "## Side by side (p95 ms; the best peer's p95 over the console's)", ""]
        lines += _side_by_side(report)
        lines += ["", "## Peers (same run, same table)", "",
                  "| peer | page | median ms | p95 ms | req/s | KB | non-200 |",
                  "|---|---|---:|---:|---:|---:|---:|"]  # fmt: skip
        for f in report["peers"]:
            lines.append(
                f"| {f['role']} | {f['page']} | {f['median_ms']} | {f['p95_ms']} | "
                f"{f['per_second']} | {f['bytes'] / 1024:.1f} | {f['errors']} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--scale", default="10", help="seed-demo --scale of the world")
    parser.add_argument("--cases", type=int, default=0, help="grow the case table to this size")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=200, help="requests per page")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=8321)
    parser.add_argument("--only", help="only the pages whose name contains this")
    parser.add_argument("--peers", action="store_true", help="the peers' case lists beside")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        raise SystemExit("the harness measures PostgreSQL (production): give a postgresql URL")
    if not 1 <= args.clients <= 64 or not 1 <= args.requests <= 100_000:
        raise SystemExit("--clients must be 1–64 and --requests 1–100,000")

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    report = {
        "machine": machine(),
        "settings": {k: getattr(args, k) for k in ("clients", "requests", "workers")},
    }
    report["data"] = prepare_database(args.database_url, args.scale, args.cases, log)
    secret_key = secrets.token_urlsafe(48)
    prepare_accounts(args.database_url, secret_key)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    # The server's log stays out of the results folder (which is committed).
    server_log = Path(tempfile.gettempdir()) / f"mallconsole-bench-{args.port}.log"
    server = start_server(args.database_url, args.port, args.workers, secret_key, server_log)
    results: list[Figures] = []
    try:
        browsers = {}
        for role, email in ROLES.items():
            browsers[role] = Browser(args.port)
            browsers[role].sign_in(email)
        chosen = pages(args.database_url, secret_key, browsers, log)
        if args.only:
            chosen = [p for p in chosen if args.only in p.name]
        with multiprocessing.get_context("fork").Pool(args.clients) as pool:
            for page in chosen:
                figures = drive(
                    args.port, page.path, browsers[page.role].cookie, clients=args.clients,
                    requests=args.requests, fragment=page.fragment, server=server, pool=pool,
                )  # fmt: skip
                figures.page, figures.role = page.name, page.role
                results.append(figures)
                log(
                    f"{page.name:<40} median {figures.median_ms:7.1f} ms  p95 {figures.p95_ms:7.1f}"
                    f" ms  {figures.per_second:6.1f}/s  {figures.bytes / 1024:6.1f} KB  "
                    f"{figures.statements} SQL  app {figures.app_cpu_ms} ms  db "
                    f"{figures.db_cpu_ms} ms  non-200 {figures.errors}"
                )
    finally:
        server.stop()
    report["pages"] = [asdict(f) for f in results]
    if args.peers:
        report["peers"] = run_peers(args, log)
    stem = f"{datetime.now(UTC):%Y-%m-%d}-scale{args.scale}"
    if args.cases:
        stem += f"-{args.cases // 1000}k-cases"
    (out / f"{stem}.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    (out / f"{stem}.md").write_text(markdown(report))
    log(f"Wrote {out / stem}.md and .json")


def run_peers(args, log) -> list[dict]:
    """The peers' case lists over the same table (bench/peers), driven the same way."""
    sys.path.insert(0, str(ROOT / "bench"))
    import peers

    peers.ensure_venv(ROOT)
    engine = _engine(args.database_url)
    with engine.connect() as conn:
        number = conn.exec_driver_sql(
            "SELECT case_number FROM shopping_mall_support_cases ORDER BY id LIMIT 1"
        ).scalar()
    engine.dispose()
    found = []
    with multiprocessing.get_context("fork").Pool(args.clients) as pool:
        for offset, name in enumerate(peers.PEERS):
            peer = peers.start(name, args.database_url, args.port + 10 + offset)
            try:
                paths = {**peer.pages, "exact case-number search": peer.search_path(number)}
                for page, path in paths.items():
                    figures = drive(
                        args.port + 10 + offset, path, peer.cookie, clients=args.clients,
                        requests=args.requests, fragment=False, server=None, pool=pool,
                    )  # fmt: skip
                    figures.page, figures.role = page, name
                    found.append(asdict(figures))
                    log(f"{name}: {page:<32} median {figures.median_ms} ms p95 {figures.p95_ms} ms")
            finally:
                peer.stop()
    return found


if __name__ == "__main__":
    main()
