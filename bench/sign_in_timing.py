"""Time refused sign-ins per kind of account: median and p95 per category, through the app.

    .venv/bin/python bench/sign_in_timing.py --runs 20
    .venv/bin/python bench/sign_in_timing.py --runs 20 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/mallconsole_bench

Builds the console (real Argon2, CSRF, transactions) on a fresh database (a temporary SQLite
file, or the PostgreSQL database named in the URL, dropped and created again), makes one
account per attempt in each category, and posts the sign-in form as a browser would, the
categories taking turns. Every refusal should cost the same: one password-hash verification.
Each attempt comes from its own client address, so the per-address limit never answers first.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import flask_migrate
from seed_demo import fresh_database
from sqlalchemy.engine import make_url

from mallconsole import create_app
from mallconsole.core.roles import Role
from mallconsole.extensions import db
from mallconsole.models import Customer, Seller, User, utcnow
from mallconsole.services.identity.passwords import hash_password
from mallconsole.services.identity.staff import grant_role

PASSWORD = "bench password, long enough"
WRONG = "not the password"


def make_user(session, email: str, password_hash: str, **values) -> User:
    user = User(
        email=email,
        password_hash=password_hash,
        email_verified=True,
        mfa_enabled=False,
        status=values.pop("status", "active"),
        **values,
    )
    session.add(user)
    session.flush()
    return user


def staff(session, email, password_hash, **values):
    user = make_user(session, email, password_hash, **values)
    grant_role(session, user, Role.SUPPORT_AGENT)
    return user


def customer(session, email, _password_hash):
    user = make_user(session, email, "!")
    session.add(Customer(shopping_mall_user_id=user.id, assigned_at=utcnow()))
    return user


def seller(session, email, _password_hash):
    user = make_user(session, email, "!")
    session.add(
        Seller(
            shopping_mall_user_id=user.id,
            seller_code=email.split("@")[0],
            display_name=email,
            state="active",
        )
    )
    return user


def locked(session, email, password_hash):
    return staff(session, email, password_hash, lockout_until=utcnow() + timedelta(hours=2))


# category: (make the account or None for an unknown email, password typed)
CATEGORIES: dict[str, tuple[Callable | None, str]] = {
    "unknown email": (None, PASSWORD),
    "customer": (customer, PASSWORD),
    "seller": (seller, PASSWORD),
    "staff, wrong password": (staff, WRONG),
    "staff, locked": (locked, PASSWORD),
    "staff, suspended": (lambda s, e, h: staff(s, e, h, status="suspended"), PASSWORD),
    "staff, terminated": (lambda s, e, h: staff(s, e, h, status="terminated"), PASSWORD),
}


def email_for(category: str, run: int) -> str:
    slug = "".join(c if c.isalnum() else "-" for c in category)
    return f"{slug}-{run}@bench.mall"


def make_accounts(app, runs: int) -> None:
    password_hash = hash_password(PASSWORD)
    with app.app_context():
        for category, (make, _) in CATEGORIES.items():
            for run in range(runs):
                if make is not None:
                    make(db.session, email_for(category, run), password_hash)
        db.session.commit()


def csrf_token(client) -> str:
    from bs4 import BeautifulSoup

    page = BeautifulSoup(client.get("/login").data, "html.parser")
    return page.find("input", attrs={"name": "csrf_token"})["value"]


def time_refusals(app, runs: int) -> dict[str, list[float]]:
    clients = {category: app.test_client() for category in CATEGORIES}
    tokens = {category: csrf_token(client) for category, client in clients.items()}
    timings: dict[str, list[float]] = {category: [] for category in CATEGORIES}
    attempt = 0
    for run in range(runs):
        for category, (_, password) in CATEGORIES.items():
            attempt += 1
            address = f"10.{attempt // 65536 % 256}.{attempt // 256 % 256}.{attempt % 256}"
            data = {
                "email": email_for(category, run),
                "password": password,
                "csrf_token": tokens[category],
            }
            started = time.perf_counter()
            response = clients[category].post(
                "/login", data=data, environ_base={"REMOTE_ADDR": address}
            )
            timings[category].append(time.perf_counter() - started)
            if response.status_code != 422:
                raise SystemExit(f"{category}: expected a refusal (422), got {response.status}")
    return timings


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="attempts per category")
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = fresh_database(args.database_url, Path(tmp), 0)
        app = create_app(
            {"CONFIG_NAME": "development", "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"}
        )
        with app.app_context():
            flask_migrate.upgrade()
        make_accounts(app, args.runs)
        timings = time_refusals(app, args.runs)
        with app.app_context():
            db.engine.dispose()
    backend = make_url(url).get_backend_name()
    print(f"refused sign-ins on {backend}, {args.runs} attempts per category (ms)")
    print(f"{'category':<24} {'median':>8} {'p95':>8}")
    medians = []
    for category, values in timings.items():
        medians.append(statistics.median(values))
        print(f"{category:<24} {medians[-1] * 1000:8.1f} {p95(values) * 1000:8.1f}")
    spread = (max(medians) - min(medians)) * 1000
    print(f"spread of the medians: {spread:.1f} ms ({spread / (min(medians) * 1000):.1%})")


if __name__ == "__main__":
    main()
