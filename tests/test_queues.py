"""The queue screens' one pattern (``web/queues.py``): the tab named in the query string, the
tabs alone for their poll, the tab's list with its count (the tab's own when nothing is
filtered, a count of its own when something is)."""

from dataclasses import dataclass

import pytest
from flask import Blueprint
from jinja2 import ChoiceLoader, DictLoader
from wtforms import HiddenField, SelectField

from mallconsole import create_app
from mallconsole.services.kit.pagination import SortKey
from mallconsole.web.lists import ListFilters
from mallconsole.web.queues import QueueScreen, queue_screen

TEMPLATE = """\
{% block tabs %}<nav>{% for t in tabs %}{{ t.key }}={{ t.count }}{% if t.key == box %}*{% endif %};{% endfor %}</nav>{% endblock %}
{% block listing %}<table>{{ box }}|{{ page }}|{{ count }}|{{ filtered }}|{{ filters }}|{{ listing.ordering.param }}|{{ extra }}|{{ label }}</table>{% endblock %}
"""  # noqa: E501


class BoxFilters(ListFilters):
    box = HiddenField(default="inbox")
    colour = SelectField("Colour", choices={"": "Any", "red": "Red"}, default="")


@dataclass(frozen=True)
class Tab:
    key: str
    count: int


SORTS = (SortKey("made", "Made", None), SortKey("size", "Size", None))
BOXES = QueueScreen(
    template="probe/boxes.html",
    argument="box",
    names=("inbox", "outbox"),
    default="inbox",
    unknown="There is no such box. Choose Inbox or Outbox.",
    form=BoxFilters,
    sorts=SORTS,
    default_sort={"inbox": "made", "outbox": "-size"},
    id_column=None,
)


@pytest.fixture
def calls():
    return []


@pytest.fixture
def probe(app, calls):
    probe = create_app(
        {
            "CONFIG_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "x",
        }
    )
    probe.jinja_env.loader = ChoiceLoader(
        [DictLoader({"probe/boxes.html": TEMPLATE}), probe.jinja_env.loader]
    )
    bp = Blueprint("queue_probe", __name__)

    def tabs():
        calls.append("tabs")
        return [Tab("inbox", 3), Tab("outbox", 12)]

    def rows(box, filters, ordering, *, cursor, limit):
        calls.append(("rows", box, filters, limit))
        return f"rows of {box}"

    def count(box, filters):
        calls.append(("count", box, filters))
        return 1

    @bp.get("/boxes")
    def boxes():
        return queue_screen(
            BOXES,
            tabs=tabs,
            rows=rows,
            count=count,
            more=lambda box: {"extra": f"more for {box}"},
            label="Boxes",
        )

    probe.register_blueprint(bp)
    return probe


def _get(probe, query="", **headers):
    return probe.test_client().get(f"/boxes{query}", headers={"HX-Request": "true", **headers})


def test_the_default_tab_is_listed_with_its_own_count(probe, calls):
    response = _get(probe)
    assert response.status_code == 200
    assert (
        response.text.strip()
        == "<table>inbox|rows of inbox|3|False|{}|made|more for inbox|Boxes</table>"
    )
    assert calls == [("rows", "inbox", {}, 50), "tabs"]


def test_each_tab_has_its_own_default_sort(probe):
    assert "|-size|" in _get(probe, "?box=outbox").text


def test_a_filtered_tab_is_counted_on_its_own_without_the_tab_among_the_filters(probe, calls):
    response = _get(probe, "?box=outbox&colour=red&limit=25")
    assert "<table>outbox|rows of outbox|1|True|{&#39;colour&#39;: &#39;red&#39;}|" in response.text
    assert ("count", "outbox", {"colour": "red"}) in calls
    assert ("rows", "outbox", {"colour": "red"}, 25) in calls


def test_an_unknown_tab_is_400_with_the_screens_words(probe, calls):
    response = _get(probe, "?box=spam")
    assert response.status_code == 400
    assert "There is no such box. Choose Inbox or Outbox." in response.text
    assert calls == []


def test_the_poll_answers_the_tabs_alone_without_reading_the_list(probe, calls):
    response = _get(probe, "?box=outbox&part=tabs", **{"X-Background": "1"})
    assert response.status_code == 200
    assert response.text.strip() == "<nav>inbox=3;outbox=12*;</nav>"
    assert calls == ["tabs"]


def test_malformed_filters_are_400(probe):
    assert _get(probe, "?colour=blue").status_code == 400
    assert _get(probe, "?sort=colour").status_code == 400


def test_without_htmx_the_whole_template_renders(probe):
    response = probe.test_client().get("/boxes")
    assert response.status_code == 200 and "<nav>" in response.text and "<table>" in response.text
    assert "HX-Request" in response.headers["Vary"]


def test_the_poll_opened_as_a_page_is_the_whole_screen(probe, calls):
    response = probe.test_client().get("/boxes?box=outbox&part=tabs")
    assert response.status_code == 200 and "<table>" in response.text
