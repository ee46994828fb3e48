"""Customers in the global search: any words of the name, email, phone's last digits, an order
number; five a kind, then more from a signed cursor; every query from an index."""

import pytest

from mallconsole.services.customers import search as search_service
from mallconsole.services.customers.search import (
    SearchCursorError,
    customer_mode,
    search,
    search_groups,
)
from tests.factories.actors import make_staff
from tests.query_plans import query_plans, scans_a_table
from tests.support.customer_world import add_orders, make_customer

from .test_search import EVERYTHING


def names(cards):
    return [c.number for c in cards if c.kind == "customer"]


@pytest.fixture
def customers(session):
    tariq = make_customer(session, name="Tariq Torres", phone="+1-555-234-5678")
    make_customer(session, name="Tara Torrance", phone="+1 (555) 300-1111")
    make_customer(session, name="Omar Haddad", phone="555.777.4321")
    return tariq


@pytest.mark.parametrize(
    ("term", "mode"),
    [("jane@x", "email"), ("jane.doe", "email"), ("ORD-2026", "order"), ("ord-2026", "order"),
     ("5678", "phone"), ("+1 (555) 234-5678", "phone"), ("123", "name"),
     ("Tariq Torres", "name"), ("torres", "name")],
)  # fmt: skip
def test_a_term_says_how_customers_are_found(term, mode):
    assert customer_mode(term) == mode


@pytest.mark.parametrize("term", ["Tariq Torres", "Torres Tariq", "tORRES tariq", "  tariq  "])
def test_full_name_in_any_case_and_word_order(session, customers, term):
    assert names(search(session, term, permissions=EVERYTHING)) == ["Tariq Torres"]


def test_every_word_must_match_and_short_words_narrow(session, customers):
    assert names(search(session, "Torr", permissions=EVERYTHING)) == [
        "Tara Torrance", "Tariq Torres",
    ]  # fmt: skip
    assert names(search(session, "Torr Ta", permissions=EVERYTHING)) == [
        "Tara Torrance", "Tariq Torres",
    ]  # fmt: skip
    assert names(search(session, "Torr om", permissions=EVERYTHING)) == []
    assert names(search(session, "Tariq Haddad", permissions=EVERYTHING)) == []
    assert names(search(session, "ta to", permissions=EVERYTHING)) == []  # nothing indexable


@pytest.mark.parametrize("term", ["5678", "234-5678", "+1-555-234-5678", "555 234 5678"])
def test_phone_by_its_last_digits(session, customers, term):
    assert names(search(session, term, permissions=EVERYTHING)) == ["Tariq Torres"]


def test_phone_digits_in_the_middle_do_not_match(session, customers):
    assert names(search(session, "5552", permissions=EVERYTHING)) == []
    assert names(search(session, "4321", permissions=EVERYTHING)) == ["Omar Haddad"]


def test_email_prefix_and_masked_card(session, customers):
    (card,) = search(session, "tariq.torres@", permissions=EVERYTHING)
    assert card.number == "Tariq Torres"
    assert dict(card.fields) == {"Email": "t***@customers.test", "Phone": "•••• 5678"}
    assert card.screen == ("support.customer_detail", "customer_id")


def test_an_order_number_finds_its_customer_too(session, customers):
    user, _role, address = customers
    (order,) = add_orders(session, user, address, 1)
    cards = search(session, order.order_number, permissions=EVERYTHING)
    assert [(c.kind, c.number) for c in cards] == [
        ("order", order.order_number), ("customer", "Tariq Torres"),
    ]  # fmt: skip
    assert ("Order", order.order_number) in cards[1].fields


def test_name_search_edits_follow_the_user(session, customers):
    user, _role, _address = customers
    user.name = "Tariq Sorensen"
    user.phone = "+1-555-000-9999"
    session.flush()
    assert names(search(session, "sorensen tariq", permissions=EVERYTHING)) == ["Tariq Sorensen"]
    assert names(search(session, "Torres Tariq", permissions=EVERYTHING)) == []
    assert names(search(session, "9999", permissions=EVERYTHING)) == ["Tariq Sorensen"]


def test_staff_and_revoked_customers_are_not_found(session, customers):
    from mallconsole.models import utcnow

    staff = make_staff(session, "tariq.staff@test.mall")
    staff.name = "Tariq Torres"
    _user, role, _address = make_customer(session, name="Tariq Torres", email="gone@x.test")
    role.revoked_at = utcnow()
    session.flush()
    assert names(search(session, "tariq torres", permissions=EVERYTHING)) == ["Tariq Torres"]


def test_only_staff_who_may_view_customers_find_them(session, customers):
    from mallconsole.core.roles import ROLE_PERMISSIONS, Role

    assert search(session, "Tariq", permissions=ROLE_PERMISSIONS[Role.FINANCE_MANAGER]) == []
    assert names(search(session, "Tariq", permissions=ROLE_PERMISSIONS[Role.SUPPORT_AGENT])) == [
        "Tariq Torres"
    ]


def test_more_than_five_matches_page_on_by_kind(session, app, monkeypatch):
    monkeypatch.setattr(search_service, "PAGE_OF_KIND", 4)
    for n in range(12):
        make_customer(session, name=f"Lena Larsen{n:02d}", phone=f"+1-555-100-{n:04d}")
    with app.test_request_context():
        (group,) = search_groups(session, "larsen lena", permissions=EVERYTHING)
        assert [c.number for c in group.cards] == [f"Lena Larsen{n:02d}" for n in range(5)]
        seen = [c.number for c in group.cards]
        after = group.next_after
        while after:
            (group,) = search_groups(
                session, "larsen lena", permissions=EVERYTHING, kind="customer", after=after
            )
            assert len(group.cards) <= 4
            seen += [c.number for c in group.cards]
            after = group.next_after
        assert seen == [f"Lena Larsen{n:02d}" for n in range(12)]


def test_a_cursor_is_refused_for_another_term_kind_or_forged(session, app, customers):
    with app.test_request_context():
        token = search_service.encode_after("customer", "tariq", ["tariq torres", "x"])
        refused = [
            ("customer", "omar", token),
            ("order", "tariq", token),
            ("customer", "tariq", token + "x"),
            ("customer", "tariq", "x"),
        ]
        for kind, term, after in refused:
            with pytest.raises(SearchCursorError):
                search_groups(session, term, permissions=EVERYTHING, kind=kind, after=after)


@pytest.mark.parametrize("term", ["Torres Tariq", "torres ta", "5678", "ORD-2026", "tariq.t@"])
def test_customer_searches_read_indexes_never_a_table(session, customers, term):
    if customer_mode(term) in ("name", "phone") and session.get_bind().dialect.name != "sqlite":
        # A handful of test rows: a full walk of another index may look as cheap as the
        # trigram index. Ask whether the trigram index can answer (bitmap scans only).
        session.connection().exec_driver_sql("SET LOCAL enable_indexscan = off")
    plans = query_plans(session, lambda: search(session, term, permissions=EVERYTHING))
    assert plans
    for plan in plans:
        assert not scans_a_table(plan), plan
    joined = "\n".join(plans)
    if customer_mode(term) in ("name", "phone"):
        # the trigram index answers: pg_trgm's GIN index, or SQLite's FTS5 trigram table
        assert "trigram" in joined or "VIRTUAL TABLE INDEX" in joined, joined
