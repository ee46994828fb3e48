import re
from datetime import timedelta

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
    ReviewReport,
    SellerPayoutAccount,
    SellerReply,
    SupportCase,
    utcnow,
)
from mallconsole.services import dashboards
from mallconsole.services.kit import pagination
from tests.factories.actors import make_staff
from tests.factories.records import build
from tests.query_plans import query_plans, scans_a_table


def loads_the_settings(plan: str) -> bool:
    """The typed settings reader's one statement (services/kit/settings.py): every live
    configuration row, once a request; its plan reads that small table and no other."""
    return set(re.findall(r"shopping_mall_\w+", plan)) == {"shopping_mall_configurations"}


def counts(queues):
    return {q.key: q.count.display for q in queues}


def test_support_counts_the_case_queues_each_with_its_list(session):
    agent = make_staff(session, "queues@dashboards.test", (Role.SUPPORT_AGENT,))
    past, soon = utcnow() - timedelta(hours=1), utcnow() + timedelta(minutes=30)
    build(session, SupportCase, status="open", priority="high", sla_due_at=past)
    build(
        session,
        SupportCase,
        status="pending",
        priority="high",
        sla_due_at=soon,
        assigned_to_user_id=agent.id,
    )
    build(session, SupportCase, status="on_hold", priority="low")
    build(session, SupportCase, status="resolved", priority="urgent", sla_due_at=past)
    build(session, SupportCase, status="open", priority="low", deleted_at=utcnow())
    queues = dashboards.support_queues(session, actor=agent)
    assert counts(queues) == {
        "cases_mine": "1",
        "cases_unassigned": "2",
        "cases_sla": "2",
        "cases_all": "4",
    }
    assert queues[2].link == ("support.case_list", {"queue": "sla"})
    # without an actor (no one signed in) there is no "mine"
    assert [q.key for q in dashboards.support_queues(session)][0] == "cases_unassigned"


def test_moderation_counts_pending_reviews_reported_reviews_and_replies(session):
    now = utcnow()
    review = build(session, Review, state="pending", created_at=now - timedelta(hours=5))
    build(session, Review, state="pending", created_at=now - timedelta(hours=1))
    build(session, Review, state="approved", created_at=now - timedelta(days=9))
    # two open reports on one review: one reported review, aged by its oldest report
    for resolved, age in (
        (False, timedelta(hours=3)),
        (False, timedelta(hours=2)),
        (True, timedelta(days=4)),
    ):
        build(
            session,
            ReviewReport,
            shopping_mall_review_id=review.id,
            resolved=resolved,
            created_at=now - age,
        )
    build(session, SellerReply, state="pending", created_at=now - timedelta(minutes=30))
    build(session, SellerReply, state="approved", created_at=now - timedelta(days=2))
    queues = dashboards.moderation_queues(session)
    assert counts(queues) == {"reviews_pending": "2", "reports_open": "1", "replies_pending": "1"}
    oldest = {q.key: now - q.oldest_at for q in queues}
    assert oldest["reviews_pending"] == timedelta(hours=5)
    assert oldest["reports_open"] == timedelta(hours=3)
    assert oldest["replies_pending"] == timedelta(minutes=30)
    assert [q.queue for q in queues] == ["pending", "reported", "replies"]


def test_moderation_queues_say_when_nothing_waits(session):
    queues = dashboards.moderation_queues(session)
    assert {q.count.value for q in queues} == {0}
    assert {q.oldest_at for q in queues} == {None}


def test_finance_counts_refunds_awaiting_approval_and_scheduled_payouts(session):
    for status in ("pending", "pending", "pending_second_approval", "approved"):
        build(session, RefundRequest, status=status)
    build(session, Payout, status="scheduled", scheduled_for=utcnow() - timedelta(days=1))
    build(session, Payout, status="scheduled", scheduled_for=utcnow() + timedelta(days=1))
    build(session, Payout, status="paid")
    build(session, AdminAction, status="pending", action_name="approve_payout")
    build(session, AdminAction, status="executed", action_name="approve_payout")
    for status in ("open", "under_review", "lost"):
        build(session, Chargeback, status=status)
    for status in ("unverified", "verified", "rejected"):
        build(session, SellerPayoutAccount, status=status)
    assert counts(dashboards.finance_queues(session)) == {
        "refunds_pending": "2",
        "refunds_second_approval": "1",
        "refunds_to_execute": "1",
        "payouts_scheduled": "2",
        "payouts_due": "1",
        "payouts_second_approval": "1",
        "chargebacks_open": "2",
        "payout_accounts_unverified": "1",
    }


def test_operations_counts_held_orders_and_low_stock_skus(session):
    build(session, Order, status="on_hold")
    build(session, Order, status="under_review")
    build(session, Order, status="under_review")
    build(session, Order, status="confirmed")
    low = build(session, InventoryRecord, on_hand=10, non_sellable=4, safety_stock_threshold=6)
    # a second location of the same SKU, also low: the SKU counts once
    build(session, InventoryRecord, shopping_mall_sku_id=low.shopping_mall_sku_id,
          on_hand=1, non_sellable=0, safety_stock_threshold=2)  # fmt: skip
    build(session, InventoryRecord, on_hand=10, non_sellable=3, safety_stock_threshold=6)
    build(session, ReturnRequest, status="received")
    build(session, ReturnRequest, status="in_transit_back")
    now = utcnow()
    build(session, Order, status="pending_payment", expires_at=now + timedelta(minutes=59))
    build(session, Order, status="pending_payment", expires_at=now + timedelta(minutes=61))
    build(session, Order, status="pending_payment", expires_at=now - timedelta(minutes=1))
    assert counts(dashboards.operations_queues(session, now=now)) == {
        "orders_on_hold": "1",
        "orders_under_review": "2",
        "orders_expiring": "1",
        "cancellations_to_decide": "0",
        "cancellations_to_execute": "0",
        "returns_to_decide": "0",
        "returns_to_inspect": "1",
        "shipment_exceptions": "0",
        "skus_low_stock": "1",
    }


def test_admin_counts_pending_actions(session):
    build(session, AdminAction, status="pending")
    build(session, AdminAction, status="executed")
    assert counts(dashboards.admin_queues(session)) == {"admin_actions_pending": "1"}


def test_counts_stop_at_the_cap(session, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    for _ in range(3):
        build(session, AdminAction, status="pending")
    (queue,) = dashboards.admin_queues(session)
    assert queue.count.capped and queue.count.display == "2+"
    assert dashboards.QueueCount(10_000, False).display == "10,000"


def test_no_queue_count_reads_a_whole_table(session):
    for queues in (
        dashboards.support_queues,
        dashboards.moderation_queues,
        dashboards.finance_queues,
        dashboards.operations_queues,
        dashboards.admin_queues,
        dashboards.recent_audit_events,
    ):
        plans = query_plans(session, lambda queues=queues: queues(session))
        assert plans, queues.__name__
        for plan in plans:
            if loads_the_settings(plan):
                continue
            assert not scans_a_table(plan), (queues.__name__, plan)


def test_low_stock_and_open_reports_read_their_partial_indexes(session):
    operations = "\n".join(query_plans(session, lambda: dashboards.operations_queues(session)))
    assert "ix_inventory_records_low_stock" in operations
    moderation = "\n".join(query_plans(session, lambda: dashboards.moderation_queues(session)))
    assert "ix_review_reports_open" in moderation
