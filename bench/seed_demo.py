"""Time ``flask seed-demo`` on a fresh database: median and p95 over runs, with row counts.

    .venv/bin/python bench/seed_demo.py --scale 1 --runs 3
    .venv/bin/python bench/seed_demo.py --scale 10 --runs 1 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/mallconsole_bench

Each run builds the schema from the migrations on an empty database (a temporary SQLite file,
or the PostgreSQL database named in the URL, dropped and created again), then seeds it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]


def fresh_database(url: str | None, workdir: Path, run: int) -> str:
    if url is None:
        return f"sqlite:///{workdir / f'bench-{run}.db'}"
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    return url


def flask(*args: str, url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip


def row_count(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        names = [n for n in conn.dialect.get_table_names(conn) if n != "alembic_version"]
        total = sum(conn.execute(text(f"SELECT count(*) FROM {n}")).scalar_one() for n in names)
    engine.dispose()
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="1")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", help="PostgreSQL URL (default: SQLite files)")
    args = parser.parse_args()
    timings = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            url = fresh_database(args.database_url, Path(tmp), run)
            flask("db", "upgrade", url=url)
            started = time.perf_counter()
            flask("seed-demo", "--scale", args.scale, url=url)
            timings.append(time.perf_counter() - started)
            rows = row_count(url)
            print(f"run {run + 1}: {timings[-1]:.1f} s, {rows:,} rows", flush=True)
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(
        f"seed-demo --scale {args.scale} on {make_url(url).get_backend_name()}: "
        f"median {statistics.median(timings):.1f} s, p95 {p95:.1f} s over {len(timings)} runs"
    )


if __name__ == "__main__":
    main()
