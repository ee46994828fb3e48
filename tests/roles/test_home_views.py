"""Each role's home shows its queues with live counts from the database."""

from bs4 import BeautifulSoup

from mallconsole.core.roles import Role
from mallconsole.models import (
    AdminAction,
    Chargeback,
    InventoryRecord,
    Order,
    Payout,
    RefundRequest,
    ReturnRequest,
    Review,
    SellerPayoutAccount,
    SupportCase,
    utcnow,
)
from mallconsole.services.kit import audit
from tests.factories.records import build


def shown_counts(response):
    page = BeautifulSoup(response.data, "html.parser")
    return {
        row["data-queue"]: row.select_one(".count").get_text()
        for row in page.select("tr[data-queue]")
    }


def test_support_home_counts_cases(client, session, login_as):
    login_as(Role.SUPPORT_AGENT)
    build(session, SupportCase, status="open", priority="urgent", sla_due_at=utcnow())
    build(session, SupportCase, status="closed", priority="urgent")
    assert shown_counts(client.get("/support/")) == {
        "cases_mine": "0",
        "cases_unassigned": "1",
        "cases_sla": "1",
        "cases_all": "2",
    }


def test_operations_home_counts_orders_and_low_stock(client, session, login_as):
    login_as(Role.OPERATIONS_MANAGER)
    build(session, Order, status="on_hold")
    build(session, InventoryRecord, on_hand=3, non_sellable=0, safety_stock_threshold=5)
    build(session, ReturnRequest, status="pending")
    build(session, ReturnRequest, status="closed")
    assert shown_counts(client.get("/operations/")) == {
        "orders_on_hold": "1",
        "orders_under_review": "0",
        "orders_expiring": "0",
        "cancellations_to_decide": "0",
        "cancellations_to_execute": "0",
        "returns_to_decide": "1",
        "returns_to_inspect": "0",
        "shipment_exceptions": "0",
        "skus_low_stock": "1",
    }
    page = BeautifulSoup(client.get("/operations/").data, "html.parser")
    link = page.select_one("#queues a[href*='queue=on_hold']")
    assert link is not None and link["href"].startswith("/operations/orders")


def test_finance_home_counts_refunds_and_payouts(client, session, login_as):
    login_as(Role.FINANCE_MANAGER)
    build(session, RefundRequest, status="pending_second_approval")
    build(session, Payout, status="scheduled")
    build(session, AdminAction, status="pending", action_name="approve_payout")
    build(session, AdminAction, status="pending", action_name="approve_refund")
    build(session, Chargeback, status="under_review")
    build(session, Chargeback, status="won")
    build(session, SellerPayoutAccount, status="unverified")
    build(session, SellerPayoutAccount, status="verified")
    response = client.get("/finance/")
    counts = shown_counts(response)
    assert counts["refunds_second_approval"] == "1" and counts["payouts_scheduled"] == "1"
    assert counts["refunds_pending"] == "0"
    assert counts["payouts_second_approval"] == "1"
    assert counts["chargebacks_open"] == "1"
    assert counts["payout_accounts_unverified"] == "1"
    page = BeautifulSoup(response.data, "html.parser")
    links = {
        row["data-queue"]: row.select_one("a")["href"] for row in page.select("tr[data-queue]")
    }
    assert links["payouts_scheduled"] == "/finance/payouts?status=scheduled"
    assert links["payouts_second_approval"] == "/finance/approvals?kind=approve_payout"
    assert links["chargebacks_open"] == "/finance/chargebacks"
    assert links["payout_accounts_unverified"] == "/finance/payout-accounts"


def test_moderation_home_counts_reviews(client, session, login_as):
    login_as(Role.CONTENT_MODERATOR)
    build(session, Review, state="pending")
    assert shown_counts(client.get("/moderation/"))["reviews_pending"] == "1"


def test_admin_home_counts_approvals_and_lists_recent_audit_events(client, session, login_as):
    admin = login_as(Role.SYSTEM_ADMIN, time_zone="America/New_York")
    build(session, AdminAction, status="pending")
    audit.record(
        session,
        actor=admin,
        entity_table="shopping_mall_feature_flags",
        entity_id="f1",
        action="flag_enabled",
        summary="Turned on new-checkout",
    )
    response = client.get("/admin/")
    assert shown_counts(response) == {"admin_actions_pending": "1"}
    page = BeautifulSoup(response.data, "html.parser")
    row = page.select_one("table.recent-events tbody tr")
    first = row.get_text()
    # Who, by name (this one has none: their email before the @), their address on hover.
    assert "Turned on new-checkout" in first and admin.email not in first
    assert row.select_one(".person")["title"] == admin.email
    assert "(America/New_York)" in first


def test_polling_gets_only_the_queues_fragment(client, session, login_as):
    login_as(Role.SUPPORT_AGENT)
    response = client.get("/support/", headers={"HX-Request": "true", "X-Background": "1"})
    assert response.status_code == 200
    assert response.data.lstrip().startswith(b'<section id="queues"')
    assert b"<html" not in response.data
    page = BeautifulSoup(response.data, "html.parser")
    assert page.select_one("#queues")["hx-headers"] == '{"X-Background": "1"}'


def test_operations_home_says_when_its_jobs_last_ran_and_what_they_did(client, session, login_as):
    from mallconsole.models import JobRun

    login_as(Role.OPERATIONS_MANAGER)
    page = BeautifulSoup(client.get("/operations/").data, "html.parser")
    row = page.select_one('tr[data-job="expire-orders"]')
    assert row is not None and "Not run yet" in row.get_text()
    build(session, JobRun, job_name="expire-orders", trigger="schedule", status="succeeded",
          queued_at=utcnow(), finished_at=utcnow(), error=None,
          counts={"orders_canceled": 1234, "reservations_expired": 3})  # fmt: skip
    page = BeautifulSoup(client.get("/operations/").data, "html.parser")
    row = page.select_one('tr[data-job="expire-orders"]')
    assert "Orders canceled: 1,234, reservations expired: 3" in row.get_text(" ", strip=True)
    assert row.select_one("time") is not None
