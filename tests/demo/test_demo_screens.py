"""Every screen a demo account can reach, followed link by link on the seeded demo world: each
answers, none fails, and none shows a person raw storage words (table names, record ids,
JSON) where words are expected."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from mallconsole.demo.staff import DEMO_PASSWORD
from tests.conftest import sign_in

# Each role's account (CONTRACT.md demo accounts), its area, and how many screens it reaches
# at least (the operations area: its home's live counts, the returns and their screens).
ACCOUNTS = {
    "support@demo.mall": ("/support", 10),
    "moderator@demo.mall": ("/moderation", 10),
    "finance@demo.mall": ("/finance", 10),
    "admin@demo.mall": ("/admin", 10),
    "ops@demo.mall": ("/operations", 10),
}
PAGES_PER_ACCOUNT = 120
UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
RAW = re.compile(r"shopping_mall_\w+|Traceback|\{\s*\"\w+\"\s*:")
SKIPPED = ("/logout", "/static/")
# HTML's valid date and global date-and-time strings (1 to 3 digits of a fraction).
MACHINE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$"
)
# A month written in lower case where the locale (English here) capitalises it.
LOWER_MONTH = re.compile(r"\b\d{1,2} (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\b")


def visible_text(page: BeautifulSoup) -> str:
    """What a person reads: the page's text without scripts, styles and hidden inputs."""
    for hidden in page(["script", "style", "template", "input"]):
        hidden.decompose()
    return page.get_text(" ", strip=True)


def fragments_of(page: BeautifulSoup, base: str, area: str):
    """The addresses htmx fetches parts of the page from (``hx-get``)."""
    for element in page.select("[hx-get]"):
        path = urljoin(base, element["hx-get"])
        if urlsplit(path).path.startswith((area, "/account", "/search")):
            yield path


def links_of(page: BeautifulSoup, base: str, area: str):
    for anchor in page.select("a[href]"):
        href = urljoin(base, anchor["href"])
        parts = urlsplit(href)
        if parts.netloc not in ("", "localhost") or parts.fragment and not parts.path:
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith(SKIPPED) or "export" in path or "download" in path:
            continue  # files, not screens (their own tests read them)
        if path.startswith((area, "/account")):
            yield path


@pytest.mark.parametrize("email", sorted(ACCOUNTS))
def test_every_reachable_screen_answers_in_words(seeded, email):
    app, _engine, _uploads, _output = seeded
    area, least = ACCOUNTS[email]
    client = app.test_client()
    assert sign_in(client, email, DEMO_PASSWORD).status_code == 302
    queue, seen, failures = deque([f"{area}/"]), {f"{area}/"}, []
    fragments: set[str] = set()
    visited = 0
    while queue and visited < PAGES_PER_ACCOUNT:
        path = queue.popleft()
        visited += 1
        try:
            response = client.get(path)
        except Exception as error:  # the test app lets errors through: one line each here
            failures.append(f"{path}: {type(error).__name__}: {error}")
            continue
        if response.status_code in (301, 302, 303):
            continue  # e.g. a screen that opens the next item; its target is linked elsewhere
        if response.status_code != 200:
            failures.append(f"{path}: {response.status_code}")
            continue
        if not response.mimetype.startswith("text/html"):
            continue
        page = BeautifulSoup(response.data, "html.parser")
        text = visible_text(BeautifulSoup(response.data, "html.parser"))
        raw = RAW.search(text) or UUID.search(text) or LOWER_MONTH.search(text)
        if raw:
            failures.append(f"{path}: shows {raw.group(0)!r}")
        failures += [
            f"{path}: <time datetime={tag['datetime']!r}>"
            for tag in page.select("time[datetime]")
            if not MACHINE_TIME.match(tag["datetime"])
        ]
        for link in links_of(page, path, area):
            if link not in seen:
                seen.add(link)
                queue.append(link)
        for fragment in fragments_of(page, path, area):
            if fragment not in fragments:
                fragments.add(fragment)
                # Opened as a page (a new tab, a bookmark): the page it belongs to, or a
                # redirect there, never a fragment without its page's context.
                try:
                    answer = client.get(fragment).status_code
                except Exception as error:  # one line each, as for the pages
                    answer = f"{type(error).__name__}: {error}"
                if answer not in (200, 301, 302, 303):
                    failures.append(f"{fragment} without htmx: {answer}")
    assert visited >= least, f"{email} reached only {visited} screens"
    assert not failures, "\n".join(failures)
