"""LIKE patterns match what was typed, literally (``core/text.py``), in every search that builds
one; record ids are UUIDs."""

from datetime import timedelta

import pytest

from mallconsole.core.text import duration_words, escape_like, is_id, like_pattern
from mallconsole.services.money import ledger
from tests.factories.ledgers import seller_with_account


def test_wildcards_and_the_escape_are_escaped():
    assert escape_like("50%_off\\") == "50\\%\\_off\\\\"
    assert like_pattern("a%") == "%a\\%%"
    assert like_pattern("ORD-1", prefix=True) == "ORD-1%"


@pytest.mark.parametrize("value", ["", "x", "RR-20261201-000001", None, "1234"])
def test_only_a_uuid_reads_as_an_id(value):
    assert not is_id(value)


def test_a_uuid_reads_as_an_id():
    assert is_id("2f1c9b52-5a0d-4f3e-9d7e-0a4f1b2c3d4e")


@pytest.mark.parametrize("typed", ["%", "_", "\\"])
def test_a_seller_search_for_a_wildcard_finds_only_names_holding_it(session, typed):
    seller_with_account(session, name="Plain Goods")
    holding = seller_with_account(session, name=f"Goods {typed} Co")
    found = list(session.scalars(ledger.sellers_statement({"q": typed})))
    assert holding in found
    assert all(typed in f"{s.display_name} {s.seller_code}" for s in found)
    assert "Plain Goods" not in {s.display_name for s in found if typed not in s.seller_code}


def test_titles_with_text_direction_marks_are_refused_on_every_title_field():
    """Flag names, policy titles and case subjects (canned-reply titles: their own tests)."""
    from mallconsole.core.errors import ValidationError
    from mallconsole.services.admin import flags, policies

    bidi = "\u202eΩ≈ç√∫˜µ≤≥÷ 한국어 🙂"
    with pytest.raises(ValidationError) as refused:
        flags.clean({"code": "checkout.bidi", "name": bidi})
    assert "text-direction" in refused.value.field_errors["name"][0]
    with pytest.raises(ValidationError) as refused:
        policies.clean_policy({"title": bidi, "category": "returns"})
    assert "text-direction" in refused.value.field_errors["title"][0]
    assert flags.clean({"code": "checkout.plain", "name": "Ω≈ç 한국어 🙂"})["name"]


def test_a_case_subject_with_text_direction_marks_is_refused(session):
    from mallconsole.core.errors import ValidationError
    from mallconsole.core.roles import Role
    from mallconsole.services.support import case_queues
    from tests.factories.actors import make_staff

    agent = make_staff(session, "bidi@cases.test", (Role.SUPPORT_AGENT,))
    intake = case_queues.Intake(subject="\u202eabc", description=None, category="order",
                                priority="normal", channel="phone")  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        case_queues.open_case(session, intake, actor=agent)
    assert "text-direction" in refused.value.field_errors["subject"][0]


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (timedelta(seconds=5), "1 min"),
        (timedelta(minutes=35, seconds=29), "35 min"),
        (timedelta(hours=2), "2 h"),
        (-timedelta(hours=2, minutes=5), "2 h 5 min"),
        (timedelta(hours=23, minutes=59, seconds=40), "24 h"),
        (timedelta(hours=47, minutes=20), "47 h"),
        (timedelta(hours=48), "2 days"),
        (timedelta(hours=3839, minutes=25), "159 days"),
    ],
)
def test_a_span_reads_to_the_minute_then_the_hour_then_in_days(delta, words):
    assert duration_words(delta) == words
