"""The moderation home's chart names its months as the reader's locale writes a month
standing alone (CLDR through Babel), never as the server's C library does."""

from __future__ import annotations

from datetime import date

import pytest
from bs4 import BeautifulSoup

from tests.conftest import sign_in
from tests.demo.conftest import fresh_database, seeded  # noqa: F401  (the seeded world)


@pytest.mark.parametrize(
    ("language", "months"),
    [
        ("en-US", "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec"),
        ("de-DE", "Jan Feb Mär Apr Mai Jun Jul Aug Sep Okt Nov Dez"),
        ("fr-FR", "janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc."),
    ],
)
def test_the_chart_names_its_months_as_the_readers_locale_writes_them(
    seeded,  # noqa: F811
    language,
    months,
):
    app = seeded[0]
    client = app.test_client()
    assert sign_in(client, "moderator@demo.mall", "demo-console-pass").status_code == 302
    response = client.get("/moderation/", headers={"Accept-Language": language})
    page = BeautifulSoup(response.data, "html.parser")
    labelled = [bar for bar in page.select("figure.chart g.bar") if bar.select_one("text.month")]
    assert labelled
    for bar in labelled[:-1]:  # the last is "Today"
        month = date.fromisoformat(bar["data-day"]).month
        assert bar.select_one("text.month").get_text() == months.split()[month - 1]
