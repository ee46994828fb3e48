"""Where the browser is, how it is launched, and what happens when it is missing."""

from __future__ import annotations

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def require_browser() -> None:
    """Skip without Chromium, or fail when ``REQUIRE_BROWSER_TESTS=1`` (CI)."""
    if os.path.exists(CHROMIUM):
        return
    reason = (
        f"Chromium not found at {CHROMIUM}: browser tests need Debian's chromium package "
        "(apt-get install chromium)"
    )
    if os.environ.get("REQUIRE_BROWSER_TESTS") == "1":
        pytest.fail(f"REQUIRE_BROWSER_TESTS=1 but {reason}", pytrace=False)
    pytest.skip(reason)
