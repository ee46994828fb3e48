import pytest

from mallconsole.core.roles import ROLE_PERMISSIONS, Permission, Role
from mallconsole.models import Order, Payout, RefundRequest, ReturnRequest, Sku, SupportCase
from mallconsole.services.customers.search import search
from tests.factories.actors import make_customer
from tests.factories.records import build
from tests.query_plans import query_plans, scans_a_table

EVERYTHING = frozenset(Permission)


@pytest.fixture
def records(session):
    return {
        "order": build(session, Order, order_number="ORD-20261122-000001", status="on_hold"),
        "order2": build(session, Order, order_number="ORD-20261122-000002", status="confirmed"),
        "case": build(session, SupportCase, case_number="CAS-20261122-000001", status="open",
                      priority="high", subject="Parcel never came"),
        "return": build(session, ReturnRequest, rma_code="RMA-20261122-000001", status="pending"),
        "refund": build(session, RefundRequest, refund_request_number="RR-20261122-000001",
                        status="pending"),
        "payout": build(session, Payout, payout_number="PO-20261122-000001", status="scheduled"),
        "sku": build(session, Sku, sku_code="TSHIRT-RED-M", status="active"),
        "customer": make_customer(session, "jane.doe@shop.test", name="Jane Doe"),
    }  # fmt: skip


def numbers(cards):
    return [(c.kind, c.number) for c in cards]


def test_exact_number_finds_one_card_per_kind(session, records):
    assert numbers(search(session, "ORD-20261122-000002", permissions=EVERYTHING)) == [
        ("order", "ORD-20261122-000002")
    ]
    for kind, number in [("case", "CAS-20261122-000001"), ("return", "RMA-20261122-000001"),
                         ("refund", "RR-20261122-000001"), ("payout", "PO-20261122-000001"),
                         ("sku", "TSHIRT-RED-M")]:  # fmt: skip
        assert numbers(search(session, number, permissions=EVERYTHING)) == [(kind, number)]


def test_prefix_and_lower_case_numbers_match(session, records):
    found = numbers(search(session, "ord-20261122", permissions=EVERYTHING))
    assert found == [("order", "ORD-20261122-000001"), ("order", "ORD-20261122-000002")]
    assert numbers(search(session, "TSHIRT", permissions=EVERYTHING)) == [("sku", "TSHIRT-RED-M")]


def test_customer_email_by_prefix_any_case(session, records):
    (card,) = search(session, "Jane.Doe@", permissions=EVERYTHING)
    assert (card.kind, card.number, card.status) == ("customer", "Jane Doe", "active")
    assert ("Email", "j***@shop.test") in card.fields  # masked: a search reveals nothing


def test_staff_who_are_not_customers_are_not_found_as_customers(session, records):
    from tests.factories.actors import make_staff

    make_staff(session, "jane.staff@shop.test")
    assert numbers(search(session, "jane.", permissions=EVERYTHING)) == [("customer", "Jane Doe")]


def test_results_are_limited_to_what_the_roles_may_open(session, records):
    moderator = ROLE_PERMISSIONS[Role.CONTENT_MODERATOR]
    assert search(session, "ORD-20261122-000001", permissions=moderator) == []
    assert numbers(search(session, "TSHIRT", permissions=moderator)) == [("sku", "TSHIRT-RED-M")]
    finance = ROLE_PERMISSIONS[Role.FINANCE_MANAGER]
    assert search(session, "CAS-20261122-000001", permissions=finance) == []
    assert search(session, "jane.doe@shop.test", permissions=finance) == []
    assert numbers(search(session, "PO-2026", permissions=finance)) == [
        ("payout", "PO-20261122-000001")
    ]


def test_short_or_wildcard_terms_find_nothing_unexpected(session, records):
    assert search(session, "O", permissions=EVERYTHING) == []
    assert search(session, "%%", permissions=EVERYTHING) == []
    assert search(session, "ORD_2026", permissions=EVERYTHING) == []


def test_cards_carry_status_fields_and_time(session, records):
    (card,) = search(session, "CAS-20261122-000001", permissions=EVERYTHING)
    assert card.status == "open" and ("Subject", "Parcel never came") in card.fields
    assert card.at is not None and card.screen == ("support.case_detail", "case_id")


def _plans(session, term):
    return query_plans(session, lambda: search(session, term, permissions=EVERYTHING))


@pytest.mark.parametrize("term", ["ORD-2026", "CAS-20261122-000001", "RMA-2026", "RR-2026",
                                  "PO-2026", "TSHIRT", "jane.doe@"])  # fmt: skip
def test_every_search_query_is_answered_from_an_index(session, records, term):
    plans = _plans(session, term)
    assert plans
    for plan in plans:
        assert not scans_a_table(plan), plan
        if "trigram" in plan or "user_search" in plan or "~~ '%" in plan:
            # names (a match anywhere in the name): the matches are sorted by name; that the
            # trigram index finds them is checked in tests/services/test_customer_search.py
            continue
        # PostgreSQL: an index scan in index order (no sort of every match before the limit)
        assert "Seq Scan" not in plan and "Sort" not in plan, plan
        # SQLite: a range search on an index, no temporary sort
        assert "TEMP B-TREE" not in plan, plan


def test_an_untyped_term_looks_in_every_kind_by_index(session, records):
    plans = _plans(session, "TSH")
    assert len(plans) == 7
    for plan in plans:
        assert not scans_a_table(plan), plan
