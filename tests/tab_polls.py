"""The queue tabs' poll (SCREENS.md: live counts): a 30-second background request that brings
back the tabs alone, the current one still marked."""

from __future__ import annotations

from bs4 import BeautifulSoup


def polled_tabs(client, tabs) -> BeautifulSoup:
    """Check ``tabs`` (a parsed ``<nav>``) polls as the kit does, and return what its poll
    answers now, checked to be the tabs without the list."""
    assert tabs["hx-trigger"] == "every 30s" and "part=tabs" in tabs["hx-get"]
    assert tabs["hx-headers"] == '{"X-Background": "1"}'
    polled = client.get(tabs["hx-get"], headers={"HX-Request": "true", "X-Background": "1"})
    fragment = BeautifulSoup(polled.data, "html.parser")
    assert polled.status_code == 200 and fragment.select_one("table") is None
    assert fragment.select_one("nav")["id"] == tabs["id"]  # swapped in place of itself
    return fragment


def counts_of(fragment, key: str) -> dict[str, str]:
    """Each tab's count by its ``data-<key>``, and which tab is current."""
    counts = {a[f"data-{key}"]: a.select_one(".count")["data-count"] for a in fragment.select("a")}
    counts["current"] = fragment.select_one('a[aria-current="page"]')[f"data-{key}"]
    return counts
