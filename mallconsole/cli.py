"""Flask commands: ``flask seed-demo`` and ``flask jobs``."""

from __future__ import annotations

import os
import sys
import time

import click
import flask_migrate
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import inspect, select, text

from mallconsole.extensions import db
from mallconsole.models import MATERIALIZED_VIEWS, Base

DONE, FAILED, REFUSED = 0, 1, 2
MAX_SCALE = 100


def console_url() -> str:
    """Where ``make run`` serves the console (its ``HOST`` and ``PORT``), for the sign-in hint."""
    host = os.environ.get("HOST") or "127.0.0.1"
    port = os.environ.get("PORT") or "5000"
    return f"http://{host}:{port}/login"


def register(app) -> None:
    """Add the console's commands to ``flask``."""
    app.cli.add_command(seed_demo)
    app.cli.add_command(jobs_command)


def _stop(code: int, message: str):
    click.echo(message, err=code != DONE)
    sys.exit(code)


def database_has_data(connection) -> bool:
    """Whether any table of the schema holds a row."""
    for table in Base.metadata.sorted_tables:
        if table.name in MATERIALIZED_VIEWS:
            continue
        if connection.execute(select(text("1")).select_from(table).limit(1)).first():
            return True
    return False


def rebuild_schema() -> None:
    """Drop every table, view and trigger through the migrations, then build them again."""
    flask_migrate.downgrade(revision="base")
    flask_migrate.upgrade()


@click.command("seed-demo")
@click.option(
    "--scale",
    type=float,
    default=1.0,
    show_default=True,
    help="Size of the world: 1 is about 10,000 orders; rows grow linearly.",
)
@click.option(
    "--seed",
    type=int,
    default=1,
    show_default=True,
    help="Random seed: the same seed gives the same world.",
)
@click.option("--reset", is_flag=True, help="Drop and rebuild the schema first (loses all data).")
@click.option(
    "--if-empty",
    "if_empty",
    is_flag=True,
    help="Leave a database that already has data as it is (exit 0).",
)
@with_appcontext
def seed_demo(scale: float, seed: int, reset: bool, if_empty: bool) -> None:
    """Load the demo world: staff accounts, sellers, catalog, orders and work in every console."""
    from mallconsole.demo import build_world
    from mallconsole.demo.staff import DEMO_ACCOUNTS, DEMO_PASSWORD, MFA_ACCOUNT, OTHER_STAFF

    app = current_app
    if app.config.get("NAME") == "production":
        _stop(REFUSED, "Refused: seed-demo never runs with the production configuration.")
    if not 0 < scale <= MAX_SCALE:
        _stop(REFUSED, f"Refused: --scale must be above 0 and at most {MAX_SCALE} (got {scale}).")
    if reset and if_empty:
        _stop(REFUSED, "Refused: --reset and --if-empty contradict each other; pick one.")
    engine = db.engine
    if reset:
        click.echo("Dropping and rebuilding the schema …")
        rebuild_schema()
    missing = {"shopping_mall_users", "shopping_mall_orders"} - set(
        inspect(engine).get_table_names()
    )
    if missing:
        _stop(FAILED, "Failed: the schema is missing; run `flask --app wsgi db upgrade` first.")
    with engine.connect() as connection:
        has_data = database_has_data(connection)
    if has_data:
        if if_empty:
            _stop(DONE, "The database already has data; left as it is.")
        _stop(
            REFUSED, "Refused: the database already has data. Use --reset to drop and rebuild it."
        )

    click.echo(f"Seeding the demo world (scale {scale:g}, seed {seed}) …")
    started = time.perf_counter()
    try:
        with engine.begin() as connection:
            world = build_world(
                connection, config=app.config, scale=scale, seed=seed, progress=click.echo
            )
    except Exception as exc:  # report, exit 1: nothing was committed
        _stop(FAILED, f"Failed: {type(exc).__name__}: {exc}")
    if engine.dialect.name == "postgresql":
        # Fresh tables have no statistics: without them the planner reads whole tables for
        # the first searches and lists (1.1 s instead of 66 ms for ORD- prefixes at scale 10).
        click.echo("Gathering planner statistics (ANALYZE) …")
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")
    elapsed = time.perf_counter() - started
    total = sum(world.counts.values())
    click.echo(f"Done: {total:,} rows in {elapsed:.1f} s.")
    click.echo("")
    click.echo(f"Open {console_url()} and sign in with password {DEMO_PASSWORD!r}:")
    for email, _, roles in DEMO_ACCOUNTS:
        extra = "  (TOTP secret JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP)" if email == MFA_ACCOUNT else ""
        click.echo(f"  {email:<24} {', '.join(roles)}{extra}")
    click.echo(
        "Staff who cannot sign in: "
        + ", ".join(
            f"{email} ({'locked' if locked else status})"
            for email, _, _, status, locked in OTHER_STAFF
        )
    )


@click.command("jobs")
@click.argument("name")
@with_appcontext
def jobs_command(name: str) -> None:
    """Run the background job NAME now (``list`` lists the jobs and their last runs)."""
    from mallconsole.services import jobs
    from mallconsole.services.kit import after_commit

    if name == "list":
        for status in jobs.job_statuses(db.session):
            every = f"every {_interval(status.every)}" if status.every else "on demand"
            if status.paused:
                every += " (paused)"
            last = status.last_run
            result = (
                f"{last.status} at {last.queued_at:%Y-%m-%d %H:%M} UTC" if last else "never run"
            )
            click.echo(f"{status.job.name:<18} {every:<24} {result}   {status.job.label}")
        _stop(DONE, f"{len(jobs.REGISTRY)} jobs.")
    if name not in jobs.REGISTRY:
        _stop(REFUSED, f"Refused: there is no job called {name!r}; `flask jobs list` lists them.")
    run = jobs.run_job(name, trigger="command")
    after_commit.dispatch_ready(db.session)
    counts = ", ".join(f"{k} {v}" for k, v in (run.counts or {}).items())
    if run.status == "succeeded":
        _stop(DONE, f"{name}: succeeded{' (' + counts + ')' if counts else ''}.")
    if run.status == "skipped":
        _stop(REFUSED, f"{name}: not run: {run.error}")
    _stop(FAILED, f"{name}: failed: {run.error}")


def _interval(delta) -> str:
    seconds = int(delta.total_seconds())
    for unit, size in (("h", 3600), ("min", 60)):
        if seconds % size == 0 and seconds >= size:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"
