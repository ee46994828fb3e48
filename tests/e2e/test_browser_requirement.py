"""Without Chromium, browser tests skip, except where CI requires them."""

import pytest

from tests.e2e import browser


def test_missing_browser_skips_with_a_reason(monkeypatch):
    monkeypatch.setattr(browser, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.delenv("REQUIRE_BROWSER_TESTS", raising=False)
    with pytest.raises(pytest.skip.Exception, match="Chromium not found"):
        browser.require_browser()


def test_missing_browser_fails_when_required(monkeypatch):
    monkeypatch.setattr(browser, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setenv("REQUIRE_BROWSER_TESTS", "1")
    with pytest.raises(pytest.fail.Exception, match="REQUIRE_BROWSER_TESTS=1"):
        browser.require_browser()
