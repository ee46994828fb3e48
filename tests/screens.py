"""The screens of each demo account, one or a few of each kind, found by following links on
the seeded demo world (as ``tests/demo/test_demo_screens.py`` does), for the checks that read
every screen: valid HTML (``tests/demo/test_demo_valid_html.py``) and axe-core in Chromium
(``tests/e2e/test_accessibility_browser.py``).

A screen's kind is the URL rule it answers to (``/finance/refunds/<number>``), so a list and
one record screen of each kind are visited rather than every record.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass
from urllib.parse import urlsplit

from bs4 import BeautifulSoup
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from mallconsole.demo.staff import DEMO_PASSWORD
from tests.conftest import sign_in
from tests.demo.test_demo_screens import ACCOUNTS, links_of

__all__ = ["ACCOUNTS", "Screen", "one_of_each_kind", "screen_kind", "screens_of"]


@dataclass(frozen=True)
class Screen:
    path: str
    kind: str
    html: bytes


def screen_kind(app, path: str) -> str:
    """The URL rule ``path`` answers to (its ids left as placeholders), or the path itself."""
    adapter = app.url_map.bind("localhost")
    try:
        rule, _arguments = adapter.match(urlsplit(path).path, method="GET", return_rule=True)
    except (HTTPException, RequestRedirect):
        return urlsplit(path).path
    return rule.rule


def screens_of(app, email: str, per_kind: int = 5, limit: int = 400) -> list[Screen]:
    """The HTML screens ``email`` reaches from its area's home, at most ``per_kind`` of each
    kind and ``limit`` in all, in the order a breadth-first walk of the links finds them.

    A few of each kind rather than one: some links are on some records only (a sensitive
    flag's revert, a removable configuration value)."""
    area, _least = ACCOUNTS[email]
    client = app.test_client()
    assert sign_in(client, email, DEMO_PASSWORD).status_code in (302, 303), email
    start = f"{area}/"
    queue, seen = deque([start]), {start}
    queued = Counter([screen_kind(app, start)])
    screens: list[Screen] = []
    while queue and len(screens) < limit:
        path = queue.popleft()
        response = client.get(path)
        kind = screen_kind(app, path)
        if response.status_code != 200 or not response.mimetype.startswith("text/html"):
            queued[kind] -= 1  # another link of its kind may lead to a screen
            continue  # redirects and failures: tests/demo/test_demo_screens.py reports those
        screens.append(Screen(path, kind, response.data))
        page = BeautifulSoup(response.data, "html.parser")
        for link in links_of(page, path, area):
            kind = screen_kind(app, link)
            if link not in seen and queued[kind] < per_kind:
                seen.add(link)
                queued[kind] += 1
                queue.append(link)
    return screens


def one_of_each_kind(screens: list[Screen]) -> list[Screen]:
    """The first screen of each kind."""
    first: dict[str, Screen] = {}
    for screen in screens:
        first.setdefault(screen.kind, screen)
    return list(first.values())
