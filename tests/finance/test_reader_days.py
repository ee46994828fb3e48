"""Finance date filters and export periods mean the reader's own days (their time zone), not
UTC days: a finance manager in Asia/Seoul (UTC+9) who asks for 1 to 3 December gets what
happened from 1 December 00:00 to 3 December 23:59 in Seoul."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from mallconsole.core import timezones
from mallconsole.core.roles import Role
from mallconsole.models import AuditEvent, Fee, PaymentRefund, Payout, Reserve
from mallconsole.services.money import ledger
from tests.conftest import csrf_from
from tests.factories.ledgers import seller_with_account, set_setting
from tests.factories.records import build

SEOUL = "Asia/Seoul"
# (amount, the moment in UTC, the day in Seoul)
ENTRIES = (
    ("11.00", datetime(2026, 9, 30, 14, 55, tzinfo=UTC)),  # 30 Sep 23:55 in Seoul: out
    ("22.00", datetime(2026, 9, 30, 15, 5, tzinfo=UTC)),  # 1 Oct 00:05 in Seoul: in
    ("33.00", datetime(2026, 10, 3, 14, 59, tzinfo=UTC)),  # 3 Oct 23:59 in Seoul: in
    ("44.00", datetime(2026, 10, 3, 15, 1, tzinfo=UTC)),  # 4 Oct 00:01 in Seoul: out
)
PERIOD = "since=2026-10-01&until=2026-10-03"


def page_of(response):
    assert response.status_code == 200, response.data
    return BeautifulSoup(response.data, "html.parser")


def csv_of(response):
    assert response.status_code == 200, response.data
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


@pytest.fixture
def seller(session):
    seller = seller_with_account(session, name="Han River Goods")
    for amount, at in ENTRIES:
        ledger.post(session, seller_id=seller.id, currency="USD", amount=Decimal(amount),
                    entry_type="sale", source_type="capture", occurred_at=at)  # fmt: skip
    return seller


def finance_in(login_as, session, zone):
    set_setting(session, "finance.payout.dual_approval_threshold.USD", "100000")
    return login_as(Role.FINANCE_MANAGER, time_zone=zone)


def shown_amounts(page) -> list[str]:
    return sorted(
        row.select("td")[4].get_text(strip=True).split("\xa0")[-1].replace("$", "")
        for row in page.select("#listing tbody tr")
    )


def test_the_days_of_a_zone_are_its_midnights_in_utc():
    start, end = timezones.day_range(date(2026, 10, 1), date(2026, 10, 3), SEOUL)
    assert start == datetime(2026, 9, 30, 15, 0, tzinfo=UTC)
    assert end == datetime(2026, 10, 3, 15, 0, tzinfo=UTC)
    assert timezones.day_range(None, None, SEOUL) == (None, None)
    # an unknown zone is read as UTC, never an error
    assert timezones.day_range(date(2026, 10, 1), None, "Mars/Base")[0] == datetime(
        2026, 10, 1, tzinfo=UTC
    )


def test_the_ledger_filter_takes_the_readers_days(client, login_as, session, seller):
    finance_in(login_as, session, SEOUL)
    page = page_of(client.get(f"/finance/ledgers/{seller.id}?{PERIOD}"))
    assert shown_amounts(page) == ["22.00", "33.00"]
    note = page.select_one("#days-note").get_text(" ", strip=True)
    assert "days in Asia/Seoul" in note


def test_a_utc_reader_gets_utc_days_for_the_same_filter(client, login_as, session, seller):
    finance_in(login_as, session, None)
    page = page_of(client.get(f"/finance/ledgers/{seller.id}?{PERIOD}"))
    assert shown_amounts(page) == ["33.00", "44.00"]
    assert "days in UTC" in page.select_one("#days-note").get_text(" ", strip=True)


def test_the_ledger_export_holds_the_readers_days_and_says_which(client, login_as, session, seller):
    finance_in(login_as, session, SEOUL)
    page = page_of(client.get(f"/finance/ledgers/{seller.id}?{PERIOD}"))
    link = page.find("a", string="Download these entries (CSV)")["href"]
    rows = csv_of(client.get(link))
    assert sorted(Decimal(r["amount"]) for r in rows) == [Decimal("22"), Decimal("33")]
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export_downloaded")
    ).all()[-1]
    assert event.changes["after"]["filters"]["days_in"] == SEOUL


def test_the_fee_list_and_fee_export_take_the_readers_days(client, login_as, session, seller):
    finance_in(login_as, session, SEOUL)
    for amount, at in ENTRIES:
        build(session, Fee, shopping_mall_seller_id=seller.id, fee_type="commission",
              amount=Decimal(amount), currency="USD", assessed_at=at)  # fmt: skip
    page = page_of(client.get(f"/finance/fees?{PERIOD}"))
    assert len(page.select("#listing tbody tr")) == 2
    assert "days in Asia/Seoul" in page.select_one("#days-note").get_text(" ", strip=True)
    rows = csv_of(client.get(f"/finance/exports/fees.csv?{PERIOD}"))
    assert sorted(Decimal(r["amount"]) for r in rows) == [Decimal("22"), Decimal("33")]


def test_the_payout_list_filter_takes_the_readers_days(client, login_as, session, seller):
    finance_in(login_as, session, SEOUL)
    for n, (amount, at) in enumerate(ENTRIES):
        build(session, Payout, shopping_mall_seller_id=seller.id, created_at=at,
              payout_number=f"PO-20261001-{n + 1:06d}", status="paid", currency="USD",
              gross_amount=Decimal(amount), fees_amount=Decimal(0),
              reserve_withheld=Decimal(0), net_amount=Decimal(amount))  # fmt: skip
    page = page_of(client.get(f"/finance/payouts?{PERIOD}"))
    numbers = sorted(a.get_text(strip=True) for a in page.select("#listing tbody tr .number"))
    assert numbers == ["PO-20261001-000002", "PO-20261001-000003"]
    rows = csv_of(client.get(f"/finance/exports/payouts.csv?{PERIOD}"))
    assert sorted({r["payout"] for r in rows}) == numbers


def test_a_composed_payout_period_is_the_readers_days(client, login_as, session, seller):
    finance_in(login_as, session, SEOUL)
    token = csrf_from(client.get(f"/finance/ledgers/{seller.id}").data)
    response = client.post(
        f"/finance/ledgers/{seller.id}/payouts",
        data={"csrf_token": token, "payout-currency": "USD",
              "payout-period_start": "2026-10-01", "payout-period_end": "2026-10-03"},
    )  # fmt: skip
    assert response.status_code == 303, response.data
    payout = session.scalars(select(Payout)).one()
    assert payout.net_amount == Decimal("55.00")  # 22 + 33: the two entries of those days
    assert payout.period_start.astimezone(UTC) == datetime(2026, 9, 30, 15, 0, tzinfo=UTC)
    assert payout.period_end.astimezone(UTC) == datetime(2026, 10, 3, 15, 0, tzinfo=UTC)
    # the period reads as the days asked for, in the reader's zone, on the list and the payout
    detail = page_of(client.get(f"/finance/payouts/{payout.id}")).get_text(" ", strip=True)
    assert "Oct 1, 2026 – Oct 3, 2026" in detail and "days in Asia/Seoul" in detail
    listed = page_of(client.get("/finance/payouts")).select_one("#listing tbody tr")
    assert "Oct 1, 2026 – Oct 3, 2026" in listed.get_text(" ", strip=True)


def test_a_reserve_release_day_starts_at_the_readers_midnight(client, login_as, session, seller):
    finance_in(login_as, session, SEOUL)
    token = csrf_from(client.get(f"/finance/ledgers/{seller.id}").data)
    placed = client.post(f"/finance/ledgers/{seller.id}/reserves", data={
        "csrf_token": token, "reserve-currency": "USD", "reserve-reserve_type": "case_hold",
        "reserve-amount": "10", "reserve-reason": "open dispute",
        "reserve-policy_reference": "risk.case_hold", "reserve-release_at": "2030-01-02",
    })  # fmt: skip
    assert placed.status_code == 303, placed.data
    reserve = session.scalars(select(Reserve)).one()
    assert reserve.release_at.astimezone(UTC) == datetime(2030, 1, 1, 15, 0, tzinfo=UTC)


def test_the_refund_export_period_is_the_readers_days(client, login_as, session):
    finance_in(login_as, session, SEOUL)
    for n, (amount, at) in enumerate(ENTRIES):
        build(session, PaymentRefund, amount=Decimal(amount), currency="USD", status="succeeded",
              refunded_at=at, provider_reference=f"re_seoul_{n}",
              idempotency_key=f"seoul-{n}")  # fmt: skip
    rows = csv_of(client.get(f"/finance/exports/refunds.csv?{PERIOD}"))
    assert sorted(Decimal(r["amount"]) for r in rows) == [Decimal("22"), Decimal("33")]
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export_downloaded")
    ).all()[-1]
    assert event.changes["after"]["filters"] == {
        "since": "2026-10-01",
        "until": "2026-10-03",
        "days_in": SEOUL,
    }


def test_a_period_ending_before_it_starts_is_refused_with_words(client, login_as, session, seller):
    finance_in(login_as, session, SEOUL)
    reversed_period = "since=2026-10-03&until=2026-10-01"
    for path in (f"/finance/ledgers/{seller.id}", "/finance/payouts", "/finance/fees",
                 "/finance/exports/fees.csv", "/finance/exports/refunds.csv",
                 "/finance/exports/payouts.csv"):  # fmt: skip
        response = client.get(f"{path}?{reversed_period}")
        assert response.status_code == 400, path
    page = client.get(f"/finance/fees?{reversed_period}").get_data(as_text=True)
    assert "The last day comes before the first" in page
