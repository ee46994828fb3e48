"""The benchmark harness end to end, small: it seeds, grows, serves under gunicorn with the
production settings, signs every role in through MFA, and every page it drives answers 200."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.databases import new_database

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="the harness measures PostgreSQL",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_every_page_answers_and_is_counted(tmp_path, worker_id):
    url, drop = new_database(tmp_path, f"bench_{worker_id}")
    try:
        done = subprocess.run(
            [sys.executable, "bench/harness.py", "--database-url", url, "--scale", "0.05",
             "--cases", "3000", "--clients", "2", "--requests", "4",
             "--port", str(_free_port()), "--out", str(tmp_path / "results")],
            cwd=ROOT, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        (report,) = (tmp_path / "results").glob("*.json")
        figures = json.loads(report.read_text())
    finally:
        drop()
    pages = {page["page"]: page for page in figures["pages"]}
    assert figures["data"]["sizes"]["shopping_mall_support_cases"] == 3000
    assert "cases: all, page at row 2,975" in pages
    assert {"fragment: timeline, load earlier", "case screen (500 entries)"} <= set(pages)
    assert {"orders: first page", "order screen", "operations home"} <= set(pages)
    for name, page in pages.items():
        assert page["errors"] == 0, (name, page["statuses"])
        assert page["requests"] == 4
        assert page["statements"] is not None and page["statements"] >= 1, name
        assert page["app_cpu_ms"] is not None
    assert (report.with_suffix(".md")).read_text().count("\n| ") == len(pages) + 1
