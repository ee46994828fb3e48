"""Deciding refund requests: every ceiling, every move, maker-checker above the threshold."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from mallconsole.core.errors import Conflict, Forbidden, InvalidTransition, ValidationError
from mallconsole.models import (
    AdminAction,
    AuditEvent,
    Configuration,
    PaymentCapture,
    RefundItem,
    SupportCaseEvent,
    utcnow,
)
from mallconsole.services import approvals
from mallconsole.services.aftersales import customer_requests as cr
from mallconsole.services.aftersales import refund_decisions as rd
from mallconsole.services.kit.versions import StaleRecord
from tests.factories.actors import make_staff
from tests.factories.records import build
from tests.factories.request_orders import make_case, make_order, refund_paid

FINANCE = ("finance_manager",)


@pytest.fixture
def people(session):
    make_threshold(session, "250.00")
    return {
        "agent": make_staff(session, "agent-rd@test.mall", ("support_agent",)),
        "first": make_staff(session, "fin1-rd@test.mall", FINANCE),
        "second": make_staff(session, "fin2-rd@test.mall", FINANCE),
    }


def make_threshold(session, value, currency="USD"):
    key = f"finance.refund.dual_approval_threshold.{currency}"
    row = session.scalar(select(Configuration).where(Configuration.key == key))
    if row is None:
        session.add(Configuration(key=key, value=value, scope=None))
    else:
        row.value = value
    session.flush()


def raised(session, people, lines=((None, "40.00"),), captured="90.00", with_case=False, **kw):
    order, items, payment = make_order(session, captured=captured, **kw)
    real = [(items[i].id if isinstance(i, int) else None, a) for i, a in lines]
    case = make_case(session, order.shopping_mall_user_id) if with_case else None
    request = cr.raise_refund(
        session, order.id, real, reason_code="damaged", note="", actor=people["agent"],
        case_id=case.id if case else None,
    )  # fmt: skip
    return request, order, items, payment, case


def test_under_the_threshold_one_approval_approves(session, people):
    request, *_ = raised(session, people)
    decision = rd.approve(
        session, request.refund_request_number, amount="40.00", actor=people["first"],
        expected_version=request.version,
    )  # fmt: skip
    assert request.status == "approved" and request.approved_amount == Decimal("40.00")
    assert request.approved_by_user_id == people["first"].id and request.decided_at
    assert "approved for USD\xa040.00" in decision.message
    lines = session.scalars(
        select(RefundItem).where(RefundItem.shopping_mall_refund_request_id == request.id)
    ).all()
    assert [line.approval_status for line in lines] == ["approved"]
    event = session.scalar(
        select(AuditEvent).where(
            AuditEvent.entity_id == request.id, AuditEvent.action == "refund.approved"
        )
    )
    assert event.changes["before"]["status"] == "pending"
    assert event.changes["after"]["approved_amount"] == "40.00"


def test_approve_in_part_and_per_line(session, people):
    request, _, items, *_ = raised(session, people, lines=((0, "30.00"), (1, "50.00")))
    lines = rd.request_lines(session, request.id)
    first_line = next(line for line in lines if line.shopping_mall_order_item_id == items[0].id)
    with pytest.raises(ValidationError) as refused:
        rd.approve(session, request.id, amount="35.00", actor=people["first"],
                   approved_line_ids=[first_line.id])  # fmt: skip
    assert "at most USD\xa030.00" in refused.value.field_errors["amount"][0]
    rd.approve(session, request.id, amount="25.00", actor=people["first"],
               approved_line_ids=[first_line.id])  # fmt: skip
    assert request.status == "approved" and request.approved_amount == Decimal("25.00")
    assert sorted(line.approval_status for line in lines) == ["approved", "rejected"]


def test_no_line_approved_is_refused(session, people):
    request, *_ = raised(session, people)
    with pytest.raises(ValidationError) as refused:
        rd.approve(session, request.id, amount="10.00", actor=people["first"], approved_line_ids=[])
    assert "at least one line" in refused.value.field_errors["lines"][0]


@pytest.mark.parametrize(
    "raw, message",
    [
        ("", "Enter the amount"),
        ("abc", "at most 2 decimals"),
        ("10.001", "at most 2 decimals"),
        ("0", "Enter an amount above zero, or reject the request."),
        ("0.00", "Enter an amount above zero, or reject the request."),
        ("40.01", "at most USD\xa040.00"),
        ("١٠", "like 1,234.56"),  # other scripts' digits are not read as 10
        ("1e1", "like 1,234.56"),
        ("1,0", "like 1,234.56"),
    ],
)
def test_bad_amounts_are_refused_with_a_message(session, people, raw, message):
    request, *_ = raised(session, people)
    with pytest.raises(ValidationError) as refused:
        rd.approve(session, request.id, amount=raw, actor=people["first"])
    assert message in refused.value.field_errors["amount"][0]
    assert request.status == "pending"


def test_the_ceiling_counts_refunds_and_other_requests(session, people):
    request, order, _, payment, _ = raised(session, people, lines=((None, "40.00"),))
    other = cr.raise_refund(session, order.id, [(None, "30.00")], reason_code="damaged",
                            note="", actor=people["agent"])  # fmt: skip
    # Money given back outside the requests since they were raised: 90 − 30 − 40 = 20 left.
    refund_paid(session, payment, "40.00")
    with pytest.raises(ValidationError) as refused:
        rd.approve(session, request.id, amount="25.00", actor=people["first"])
    text = refused.value.field_errors["amount"][0]
    assert "at most USD\xa020.00" in text and "held by other requests USD\xa030.00" in text
    rd.approve(session, request.id, amount="20.00", actor=people["first"])
    # The other request now meets the approved 20.00: 90 − 40 − 20 = 30 left for it.
    rd.approve(session, other.id, amount="30.00", actor=people["second"])
    assert other.status == "approved"


def test_the_requester_never_decides_their_own_request(session, people):
    request, *_ = raised(session, people)
    finance_agent = make_staff(session, "fin-agent-rd@test.mall", (*FINANCE, "support_agent"))
    mine = cr.raise_refund(session, request.shopping_mall_order_id, [(None, "10.00")],
                           reason_code="damaged", note="", actor=finance_agent)  # fmt: skip
    with pytest.raises(Forbidden):
        rd.approve(session, mine.id, amount="10.00", actor=finance_agent)
    with pytest.raises(Forbidden):
        rd.reject(session, mine.id, reason="no", actor=finance_agent)
    assert mine.status == "pending"


def test_the_requester_never_gives_the_second_approval_either(session, people):
    make_threshold(session, "5.00")
    request, *_ = raised(session, people)
    finance_agent = make_staff(session, "fin-agent2-rd@test.mall", (*FINANCE, "support_agent"))
    mine = cr.raise_refund(session, request.shopping_mall_order_id, [(None, "10.00")],
                           reason_code="damaged", note="", actor=finance_agent)  # fmt: skip
    action = rd.approve(session, mine.id, amount="10.00", actor=people["first"]).action
    with pytest.raises(Forbidden, match="someone else must decide it"):
        approvals.decide(
            session, action.id, "approve", actor=finance_agent, revision=action.revision
        )
    assert action.status == "pending" and mine.status == "pending_second_approval"
    assert approvals.decide(
        session, action.id, "approve", actor=people["second"], revision=action.revision
    ).executed
    assert mine.status == "approved"


def test_a_stale_version_is_a_409(session, people):
    request, *_ = raised(session, people)
    seen = request.version
    rd.approve(session, request.id, amount="40.00", actor=people["first"], expected_version=seen)
    with pytest.raises(StaleRecord):
        rd.reject(session, request.id, reason="late", actor=people["second"], expected_version=seen)


def test_reject_needs_a_reason_and_ends_the_request(session, people):
    request, *_, case = raised(session, people, with_case=True)
    with pytest.raises(ValidationError) as refused:
        rd.reject(session, request.id, reason="  ", actor=people["first"])
    assert "reason" in refused.value.field_errors
    rd.reject(session, request.id, reason="Outside the return window", actor=people["first"])
    assert request.status == "rejected" and request.decided_at
    assert {line.approval_status for line in rd.request_lines(session, request.id)} == {"rejected"}
    events = session.scalars(
        select(SupportCaseEvent.body).where(
            SupportCaseEvent.shopping_mall_support_case_id == case.id,
            SupportCaseEvent.event_type == "request_decided",
        )
    ).all()
    assert events == [f"Refund request {request.refund_request_number} rejected: "
                      "Outside the return window"]  # fmt: skip
    with pytest.raises(InvalidTransition):
        rd.approve(session, request.id, amount="40.00", actor=people["second"])


def over_threshold(session, people, **kw):
    return raised(session, people, lines=((None, "300.00"),), captured="400.00", **kw)


def test_over_the_threshold_the_first_approval_asks_for_a_second(session, people):
    request, *_, case = over_threshold(session, people, with_case=True)
    decision = rd.approve(session, request.id, amount="300.00", actor=people["first"])
    assert request.status == "pending_second_approval"
    assert request.approved_amount is None and request.approved_by_user_id == people["first"].id
    action = decision.action
    assert action.action_name == "approve_refund" and action.status == "pending"
    assert action.requested_by_user_id == people["first"].id
    assert action.payload["after"] == {"status": "approved", "approved_amount": "300.00"}
    assert rd.proposed_amount(request, action) == Decimal("300.00")
    # One person never gives both approvals.
    with pytest.raises(Forbidden):
        approvals.decide(
            session, action.id, "approve", actor=people["first"], revision=action.revision
        )
    with pytest.raises(Conflict):
        rd.approve(session, request.id, amount="300.00", actor=people["second"])
    outcome = approvals.decide(
        session, action.id, "approve", actor=people["second"], revision=action.revision
    )
    assert outcome.executed, outcome.message
    assert request.status == "approved" and request.approved_amount == Decimal("300.00")
    bodies = session.scalars(
        select(SupportCaseEvent.body).where(
            SupportCaseEvent.shopping_mall_support_case_id == case.id,
            SupportCaseEvent.event_type == "request_decided",
        )
    ).all()
    assert any("second approval)" in b for b in bodies)
    assert any("first approval" in b for b in bodies)


def test_a_missing_threshold_fails_safe_to_two_approvals(session, people):
    make_threshold(session, "not money")
    request, *_ = raised(session, people, lines=((None, "5.00"),))
    rd.approve(session, request.id, amount="5.00", actor=people["first"])
    assert request.status == "pending_second_approval"


def test_at_the_threshold_one_approval_is_enough(session, people):
    request, *_ = over_threshold(session, people)
    rd.approve(session, request.id, amount="250.00", actor=people["first"])
    assert request.status == "approved"


def test_editing_the_amount_restarts_the_approvals(session, people):
    request, *_ = over_threshold(session, people)
    action = rd.approve(session, request.id, amount="300.00", actor=people["first"]).action
    third = make_staff(session, "fin3-rd@test.mall", FINANCE)
    with pytest.raises(Forbidden):
        rd.change_amount(session, request.id, amount="280.00", actor=third)
    rd.change_amount(session, request.id, amount="280.00", actor=people["first"])
    assert action.revision == 2 and action.payload["after"]["approved_amount"] == "280.00"
    with pytest.raises(ValidationError):
        rd.change_amount(session, request.id, amount="300.01", actor=people["first"])
    approvals.decide(session, action.id, "approve", actor=people["second"], revision=2)
    assert request.status == "approved" and request.approved_amount == Decimal("280.00")


def test_rejecting_while_waiting_ends_the_second_approval(session, people):
    request, *_ = over_threshold(session, people)
    action = rd.approve(session, request.id, amount="300.00", actor=people["first"]).action
    rd.reject(session, request.id, reason="Customer kept the goods", actor=people["second"])
    assert request.status == "rejected" and action.status == "rejected"


def test_the_first_approver_rejecting_withdraws_their_approval(session, people):
    request, *_ = over_threshold(session, people)
    action = rd.approve(session, request.id, amount="300.00", actor=people["first"]).action
    rd.reject(session, request.id, reason="Wrong order", actor=people["first"])
    assert action.status == "canceled" and request.status == "rejected"


def test_a_refused_second_approval_can_be_asked_again(session, people):
    request, *_ = over_threshold(session, people)
    action = rd.approve(session, request.id, amount="300.00", actor=people["first"]).action
    approvals.decide(
        session,
        action.id,
        "reject",
        "Check the photos",
        actor=people["second"],
        revision=action.revision,
    )
    assert request.status == "pending_second_approval"
    again = rd.approve(session, request.id, amount="260.00", actor=people["second"]).action
    assert again.id != action.id and again.requested_by_user_id == people["second"].id
    approvals.decide(session, again.id, "approve", actor=people["first"], revision=again.revision)
    assert request.status == "approved" and request.approved_amount == Decimal("260.00")


def test_the_executor_refuses_a_request_that_moved_on(session, people):
    request, *_ = over_threshold(session, people)
    action = rd.approve(session, request.id, amount="300.00", actor=people["first"]).action
    request.status = "canceled"
    session.flush()
    outcome = approvals.decide(
        session, action.id, "approve", actor=people["second"], revision=action.revision
    )
    assert not outcome.executed and "canceled now" in outcome.message
    assert session.get(AdminAction, action.id).status == "approved"


def test_unknown_requests_are_404(session, people):
    from mallconsole.core.errors import NotFound

    for ref in ("", "RR-20990101-000001", "x" * 100):
        with pytest.raises(NotFound):
            rd.find_request(session, ref)


def test_refunds_one_approver_gives_on_one_order_count_together(session, people):
    """Split requests do not get round the threshold: 40.00 then 20.00 on one order by one
    approver is 60.00, over a threshold of 50.00."""
    make_threshold(session, "50.00")
    first, order, *_ = raised(session, people)
    rd.approve(session, first.id, amount="40.00", actor=people["first"])
    assert first.status == "approved"
    second = cr.raise_refund(
        session, order.id, [(None, "20.00")], reason_code="damaged", note="", actor=people["agent"]
    )
    decision = rd.approve(session, second.id, amount="20.00", actor=people["first"])
    assert second.status == "pending_second_approval"
    action = decision.action
    assert "Together with the USD\xa040.00 you approved on this order" in action.justification
    assert decision.message.startswith("Together with the USD\xa040.00 you approved on this order")
    assert "first approval given for USD\xa020.00" in decision.message
    # another approver's refunds are their own: a third request is theirs to approve at once
    third = cr.raise_refund(
        session, order.id, [(None, "10.00")], reason_code="damaged", note="", actor=people["agent"]
    )
    rd.approve(session, third.id, amount="10.00", actor=people["second"])
    assert third.status == "approved"


# ---- what each decision leaves behind, and the edges of each rule --------------------------


def audit_of(session, request, action):
    return session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_id == request.id, AuditEvent.action == action)
        .order_by(AuditEvent.created_at)
    ).all()


def test_approving_audits_who_approved_and_why(session, people):
    request, *_ = raised(session, people)
    decision = rd.approve(
        session, request.id, amount="40.00", actor=people["first"], note="Photos checked"
    )
    assert decision.request is request
    (event,) = audit_of(session, request, "refund.approved")
    assert event.actor_user_id == people["first"].id and event.entity_id == request.id
    assert event.reason == "Photos checked"
    assert event.summary == f"Approved {request.refund_request_number} for USD\xa040.00"
    assert request.version == 2


def test_a_line_not_of_this_request_is_refused(session, people):
    request, *_ = raised(session, people)
    other, *_ = raised(session, people)
    (foreign,) = rd.request_lines(session, other.id)
    (own,) = rd.request_lines(session, request.id)
    with pytest.raises(ValidationError) as refused:
        rd.approve(session, request.id, amount="10.00", actor=people["first"],
                   approved_line_ids=[own.id, foreign.id])  # fmt: skip
    assert "not part of this request" in refused.value.field_errors["lines"][0]
    assert request.status == "pending" and own.approval_status is None


def test_a_reason_of_the_longest_length_is_taken_and_a_longer_one_refused(session, people):
    request, *_ = raised(session, people)
    with pytest.raises(ValidationError) as refused:
        rd.reject(session, request.id, reason="x" * (rd.REASON_MAX + 1), actor=people["first"])
    assert "under 1000 characters" in refused.value.field_errors["reason"][0]
    assert request.status == "pending"
    decision = rd.reject(session, request.id, reason="x" * rd.REASON_MAX, actor=people["first"])
    assert decision.request is request and request.status == "rejected"
    assert decision.message == f"{request.refund_request_number} is rejected."
    (event,) = audit_of(session, request, "refund.rejected")
    assert event.actor_user_id == people["first"].id and event.reason == "x" * rd.REASON_MAX
    assert event.summary == f"Rejected {request.refund_request_number}"
    assert event.changes["after"]["status"] == "rejected"


def test_the_second_approval_keeps_rejected_lines_and_is_audited_with_its_approval(session, people):
    request, _, items, _, case = raised(
        session, people, lines=((0, "40.00"), (1, "50.00")), with_case=True
    )
    make_threshold(session, "45.00")
    lines = rd.request_lines(session, request.id)
    big = next(line for line in lines if line.shopping_mall_order_item_id == items[1].id)
    action = rd.approve(session, request.id, amount="50.00", actor=people["first"],
                        approved_line_ids=[big.id]).action  # fmt: skip
    assert request.status == "pending_second_approval"
    seen = request.version
    approvals.decide(
        session, action.id, "approve", actor=people["second"], revision=action.revision
    )
    assert request.status == "approved" and request.approved_amount == Decimal("50.00")
    assert request.version == seen + 1 and request.decided_at is not None
    assert sorted(line.approval_status for line in lines) == ["approved", "rejected"]
    (event,) = audit_of(session, request, "refund.approved")
    assert event.actor_user_id == people["second"].id and event.entity_id == request.id
    assert event.shopping_mall_admin_action_id == action.id
    assert event.reason == action.justification and event.reason
    assert event.summary == f"Second approval of {request.refund_request_number} for USD\xa050.00"
    assert event.changes == {
        "before": {"status": "pending_second_approval", "approved_amount": None,
                   "version": seen},
        "after": {"status": "approved", "approved_amount": "50.00", "version": seen + 1},
    }  # fmt: skip
    decided = session.scalars(
        select(SupportCaseEvent).where(
            SupportCaseEvent.shopping_mall_support_case_id == case.id,
            SupportCaseEvent.body.like("%(second approval).%"),
        )
    ).one()
    assert decided.actor_user_id == people["second"].id


def test_an_approval_that_names_no_refund_request_is_not_carried_out(session, people):
    request, *_ = over_threshold(session, people)
    action = rd.approve(session, request.id, amount="300.00", actor=people["first"]).action
    for table, target in (("shopping_mall_orders", request.id), (rd.TABLE, None)):
        action.target_entity_table, action.target_entity_id = table, target
        with pytest.raises(Conflict, match="does not name a refund request"):
            rd.carry_out(session, action, actor=people["second"])
    assert request.status == "pending_second_approval" and request.approved_amount is None


def test_changing_the_amount_checks_the_version_and_is_audited(session, people):
    request, *_ = over_threshold(session, people)
    action = rd.approve(session, request.id, amount="300.00", actor=people["first"]).action
    seen = request.version
    with pytest.raises(StaleRecord):
        rd.change_amount(session, request.id, amount="280.00", actor=people["first"],
                         expected_version=seen - 1)  # fmt: skip
    with pytest.raises(ValidationError) as same:
        rd.change_amount(session, request.id, amount="300.00", actor=people["first"],
                         expected_version=seen)  # fmt: skip
    assert "already the amount" in same.value.field_errors["amount"][0]
    decision = rd.change_amount(session, request.id, amount="280.00", actor=people["first"],
                                expected_version=seen)  # fmt: skip
    assert decision.request is request and decision.action is action
    assert decision.message == "The amount is now USD\xa0280.00. The second approval starts again."
    assert request.version == seen + 1
    (event,) = audit_of(session, request, "refund.amount_changed")
    assert event.actor_user_id == people["first"].id and event.entity_id == request.id
    assert event.summary == (
        f"Changed {request.refund_request_number} to USD\xa0280.00; the approvals restart"
    )
    assert event.changes == {
        "before": {"approved_amount": "300.00", "version": seen},
        "after": {"approved_amount": "280.00", "version": seen + 1},
    }


def test_the_amount_cannot_change_once_the_second_approval_is_gone(session, people):
    request, *_ = over_threshold(session, people)
    action = rd.approve(session, request.id, amount="300.00", actor=people["first"]).action
    approvals.decide(
        session,
        action.id,
        "reject",
        "Check the photos",
        actor=people["second"],
        revision=action.revision,
    )
    assert (
        request.status == "pending_second_approval" and rd.open_action(session, request.id) is None
    )
    with pytest.raises(Conflict, match="No second approval is waiting"):
        rd.change_amount(session, request.id, amount="280.00", actor=people["first"])


def test_only_this_requests_second_approval_counts(session, people):
    request, order, *_ = over_threshold(session, people)
    other = cr.raise_refund(session, order.id, [(None, "60.00")], reason_code="damaged",
                            note="", actor=people["agent"])  # fmt: skip
    # approvals that are not this request's: another action on it, one on another table with its
    # id, and the second approval of another request of the order
    for name, table, target in (
        ("change_flag", rd.TABLE, request.id),
        (rd.ACTION, "shopping_mall_orders", request.id),
    ):
        build(session, AdminAction, action_name=name, target_entity_table=table,
              target_entity_id=target, status="pending",
              requested_by_user_id=people["first"].id)  # fmt: skip
    make_threshold(session, "5.00")
    elsewhere = rd.approve(session, other.id, amount="60.00", actor=people["first"]).action
    assert rd.open_action(session, other.id) == elsewhere == rd.latest_action(session, other.id)
    assert rd.open_action(session, request.id) is None
    assert rd.latest_action(session, request.id) is None


def test_the_latest_second_approval_is_the_newest_one(session, people):
    request, *_ = over_threshold(session, people)
    first = rd.approve(session, request.id, amount="300.00", actor=people["first"]).action
    approvals.decide(
        session,
        first.id,
        "reject",
        "Check the photos",
        actor=people["second"],
        revision=first.revision,
    )
    again = rd.approve(session, request.id, amount="260.00", actor=people["second"]).action
    # the newest by creation is the latest, whichever of the two ids sorts first
    newer, older = sorted((first, again), key=lambda action: action.id)
    newer.created_at = older.created_at + timedelta(minutes=5)
    session.flush()
    assert rd.latest_action(session, request.id) == newer


def test_the_ceiling_counts_only_this_orders_live_money_and_open_requests(session, people):
    request, order, _, payment, _ = raised(session, people, lines=((None, "45.00"),))
    # another order's money and requests never count here
    _, _, _, elsewhere, _ = raised(session, people, lines=((None, "80.00"),), captured="500.00")
    refund_paid(session, elsewhere, "300.00")
    # on this order, a failed capture and a deleted one add nothing; a refund that failed and a
    # deleted one take nothing; a rejected request and a deleted one hold nothing
    for values in ({"status": "failed"}, {"status": "succeeded", "deleted_at": utcnow()}):
        build(session, PaymentCapture, shopping_mall_payment_id=payment.id,
              amount=Decimal("100.00"), currency="USD", **values)  # fmt: skip
    refund_paid(session, payment, "20.00", status="failed")
    refund_paid(session, payment, "20.00").deleted_at = utcnow()
    for gone in ("rejected", "deleted"):
        other = cr.raise_refund(session, order.id, [(None, "10.00")], reason_code="damaged",
                                note="", actor=people["agent"])  # fmt: skip
        if gone == "rejected":
            rd.reject(session, other.id, reason="Duplicate", actor=people["first"])
        else:
            other.deleted_at = utcnow()
    cr.raise_refund(session, order.id, [(None, "45.00")], reason_code="damaged", note="",
                    actor=people["agent"])  # fmt: skip
    refund_paid(session, payment, "5.00")
    session.flush()
    # 90 captured − 5 refunded − 45 held by the pending request = 40
    room = rd.room_for(session, order, request)
    assert (room.captured, room.refunded, room.elsewhere, room.limit) == (
        Decimal("90.00"), Decimal("5.00"), Decimal("45.00"), Decimal("40.00"),
    )  # fmt: skip
    with pytest.raises(ValidationError, match="at most USD\xa040.00"):
        rd.approve(session, request.id, amount="40.01", actor=people["first"])
    rd.approve(session, request.id, amount="40.00", actor=people["first"])
    assert request.status == "approved"


def test_nothing_captured_leaves_nothing_to_approve(session, people):
    request, _, _, payment, _ = raised(session, people)
    for capture in session.scalars(
        select(PaymentCapture).where(PaymentCapture.shopping_mall_payment_id == payment.id)
    ):
        capture.status = "failed"
    session.flush()
    with pytest.raises(ValidationError, match="at most USD\xa00.00"):
        rd.approve(session, request.id, amount="0.50", actor=people["first"])
    assert request.status == "pending"


def test_the_first_approval_over_the_threshold_is_audited_and_asks_once(session, people):
    request, *_ = over_threshold(session, people)
    seen = request.version
    decision = rd.approve(session, request.id, amount="300.00", actor=people["first"],
                          note="Receipt attached")  # fmt: skip
    assert decision.request is request and "Another finance manager" in decision.message
    assert request.version == seen + 1
    action = decision.action
    assert action.idempotency_key == f"refund-second-approval:{request.refund_request_number}:2"
    assert action.justification == (
        "Over the USD\xa0250.00 threshold: first approval given. Receipt attached"
    )
    (event,) = audit_of(session, request, "refund.first_approval")
    assert event.actor_user_id == people["first"].id and event.entity_id == request.id
    assert event.reason == "Receipt attached"
    assert event.summary == f"First approval of {request.refund_request_number} for USD\xa0300.00"
    with pytest.raises(Conflict, match="already waiting for a second approval"):
        rd.approve(session, request.id, amount="300.00", actor=people["second"])
    # refused, then asked again: the same request, one version on, audited again
    approvals.decide(
        session,
        action.id,
        "reject",
        "Check the photos",
        actor=people["second"],
        revision=action.revision,
    )
    seen = request.version
    again = rd.approve(session, request.id, amount="260.00", actor=people["second"], note=" ")
    assert again.request is request and request.version == seen + 1
    assert again.action.idempotency_key.endswith(f":{seen + 1}")
    assert again.action.justification == "Over the USD\xa0250.00 threshold: first approval given"
    latest = audit_of(session, request, "refund.first_approval")[-1]
    assert latest.actor_user_id == people["second"].id and latest.entity_id == request.id
    assert latest.reason is None  # a blank note is no note
    third, *_ = over_threshold(session, people)
    first_action = rd.approve(session, third.id, amount="300.00", actor=people["first"]).action
    approvals.decide(
        session,
        first_action.id,
        "reject",
        "Photos",
        actor=people["second"],
        revision=first_action.revision,
    )
    rd.approve(session, third.id, amount="290.00", actor=people["second"], note="Photos now in")
    assert audit_of(session, third, "refund.first_approval")[-1].reason == "Photos now in"
    assert latest.summary.endswith("for USD\xa0260.00, again")
    assert latest.changes == {
        "before": {"version": seen},
        "after": {"version": seen + 1, "approved_amount": "260.00"},
    }


def test_a_note_of_the_longest_length_is_taken_and_a_longer_one_refused(session, people):
    request, *_ = raised(session, people)
    with pytest.raises(ValidationError) as refused:
        rd.approve(session, request.id, amount="40.00", actor=people["first"],
                   note="n" * (rd.REASON_MAX + 1))  # fmt: skip
    assert "under 1000 characters" in refused.value.field_errors["note"][0]
    rd.approve(session, request.id, amount="40.00", actor=people["first"],
               note="n" * rd.REASON_MAX)  # fmt: skip
    assert audit_of(session, request, "refund.approved")[0].reason == "n" * rd.REASON_MAX


def test_a_deleted_request_is_404(session, people):
    from mallconsole.core.errors import NotFound

    request, *_ = raised(session, people)
    request.deleted_at = utcnow()
    session.flush()
    for ref in (request.id, request.refund_request_number):
        with pytest.raises(NotFound):
            rd.find_request(session, ref)
