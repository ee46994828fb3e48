# ruff: noqa: F811  (the fixture ``people`` is shared with the decision tests)
"""Executing approved refunds: payment refunds per capture, store credit, seller ledgers, fee
reversals, payment and order states, exactly once."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from mallconsole.core.errors import Conflict, InvalidTransition, ValidationError
from mallconsole.models import (
    AuditEvent,
    Fee,
    Payment,
    PaymentCapture,
    PaymentEvent,
    PaymentRefund,
    RefundRequest,
    SellerLedgerEntry,
    SellerOrder,
    Store,
    SupportCaseEvent,
    UserBalance,
    UserBalanceRecord,
)
from mallconsole.services.aftersales import refund_decisions as rd
from mallconsole.services.aftersales import refund_execution as rx
from mallconsole.services.aftersales.payment_provider import FAILED, ProviderRefund
from mallconsole.services.money import ledger
from tests.factories.records import build
from tests.services.test_refund_decisions import people, raised  # noqa: F401


def approved(session, people, amount="40.00", **kw):
    request, order, items, payment, case = raised(session, people, **kw)
    rd.approve(session, request.id, amount=amount, actor=people["first"])
    return request, order, items, payment, case


def seller_of(session, order):
    return session.scalar(
        select(Store.shopping_mall_seller_id)
        .join(SellerOrder, SellerOrder.shopping_mall_store_id == Store.id)
        .where(SellerOrder.shopping_mall_order_id == order.id)
    )


def with_fee(session, order, amount="9.00"):
    seller = seller_of(session, order)
    session.get(SellerOrder, session.scalar(
        select(SellerOrder.id).where(SellerOrder.shopping_mall_order_id == order.id)
    )).grand_total = order.grand_total  # fmt: skip
    build(session, Fee, shopping_mall_seller_id=seller, shopping_mall_order_id=order.id,
          fee_type="commission", amount=Decimal(amount), currency="USD")  # fmt: skip
    ledger.post(session, seller_id=seller, currency="USD", amount=order.grand_total,
                entry_type="sale", source_type="capture", order_id=order.id)  # fmt: skip
    ledger.post(session, seller_id=seller, currency="USD", amount=-Decimal(amount),
                entry_type="fee", source_type="capture", order_id=order.id)  # fmt: skip
    return seller


def entries(session, seller, kind):
    return session.scalars(
        select(SellerLedgerEntry).where(
            SellerLedgerEntry.shopping_mall_seller_id == seller,
            SellerLedgerEntry.entry_type == kind,
        )
    ).all()


def test_back_to_the_payment(session, people):
    request, order, _, payment, case = approved(session, people, with_case=True)
    seller = with_fee(session, order)
    done = rx.execute(session, request.refund_request_number, actor=people["second"])
    assert done.created and request.status == "executed"
    assert "USD\xa040.00 to the original payment" in done.message
    (refund,) = done.refunds
    assert refund.status == "succeeded" and refund.amount == Decimal("40.00")
    assert refund.idempotency_key == f"refund:{request.refund_request_number}"
    assert refund.provider_reference.startswith("re_") and refund.refunded_at
    event = session.scalar(
        select(PaymentEvent).where(PaymentEvent.shopping_mall_payment_refund_id == refund.id)
    )
    assert event.type == "refund.succeeded"
    assert payment.status == "partially_refunded" and order.status == "delivered"
    # The seller's share of the refund, and 40/90 of the 9.00 fee given back (4.00).
    (debit,) = entries(session, seller, "refund")
    (back,) = entries(session, seller, "fee_reversal")
    assert debit.amount == Decimal("-40.00") and back.amount == Decimal("4.00")
    assert debit.shopping_mall_payment_refund_id == refund.id
    assert back.balance_after == Decimal("90.00") - Decimal("9.00") - Decimal("40.00") + 4
    assert ledger.reconcile(session, seller, "USD") == []
    fee = session.scalar(select(Fee).where(Fee.fee_type == "fee_reversal",
                                           Fee.shopping_mall_order_id == order.id))  # fmt: skip
    assert fee.amount == Decimal("-4.00") and fee.shopping_mall_payment_refund_id == refund.id
    body = session.scalar(
        select(SupportCaseEvent.body).where(
            SupportCaseEvent.shopping_mall_support_case_id == case.id,
            SupportCaseEvent.body.like("%executed%"),
        )
    )
    assert body == (
        f"Refund request {request.refund_request_number} executed: USD\xa040.00 to the original "
        "payment."
    )
    audit = session.scalar(
        select(AuditEvent).where(
            AuditEvent.entity_id == request.id, AuditEvent.action == "refund.executed"
        )
    )
    assert audit.changes["before"]["status"] == "approved"
    assert audit.changes["after"]["destination"] == "Original payment"


def test_executing_twice_changes_nothing_and_says_so(session, people):
    request, order, *_ = approved(session, people)
    rx.execute(session, request.id, actor=people["first"])
    again = rx.execute(session, request.id, destination="wallet", actor=people["second"])
    assert not again.created and "already executed" in again.message
    assert "nothing was done again" in again.message
    count = session.scalar(
        select(func.count())
        .select_from(PaymentRefund)
        .where(PaymentRefund.shopping_mall_refund_request_id == request.id)
    )
    assert count == 1
    assert len(entries(session, seller_of(session, order), "refund")) == 1


def test_everything_captured_refunded_refunds_the_order(session, people):
    request, order, _, payment, _ = approved(session, people, lines=((None, "90.00"),),
                                             amount="90.00")  # fmt: skip
    rx.execute(session, request.id, actor=people["first"])
    assert payment.status == "refunded" and order.status == "refunded"


def test_refunds_are_spread_over_captures_oldest_first(session, people):
    from datetime import timedelta

    from mallconsole.models import utcnow
    from mallconsole.services.aftersales import customer_requests as cr
    from tests.factories.request_orders import make_order

    order, _, payment = make_order(session, captured="50.00")
    first = session.scalar(
        select(PaymentCapture).where(PaymentCapture.shopping_mall_payment_id == payment.id)
    )
    first.captured_at = utcnow() - timedelta(days=2)
    second = build(session, PaymentCapture, shopping_mall_payment_id=payment.id,
                   amount=Decimal("40.00"), currency="USD", status="succeeded",
                   captured_at=utcnow() - timedelta(days=1))  # fmt: skip
    request = cr.raise_refund(session, order.id, [(None, "60.00")], reason_code="damaged",
                              note="", actor=people["agent"])  # fmt: skip
    rd.approve(session, request.id, amount="60.00", actor=people["first"])
    done = rx.execute(session, request.id, actor=people["first"])
    amounts = sorted((r.amount, r.shopping_mall_payment_capture_id == second.id)
                     for r in done.refunds)  # fmt: skip
    assert amounts == [(Decimal("10.00"), True), (Decimal("50.00"), False)]
    keys = {r.idempotency_key for r in done.refunds}
    number = request.refund_request_number
    assert keys == {f"refund:{number}", f"refund:{number}:2"}
    room = dict((c.id, left) for c, left in rx.capture_room(session, payment.id))
    assert room[second.id] == Decimal("30.00")


def test_to_store_credit(session, people):
    request, order, _, payment, _ = approved(session, people)
    done = rx.execute(session, request.id, destination="wallet", actor=people["first"])
    assert done.created and "to store credit" in done.message and done.refunds == ()
    wallet = session.scalar(
        select(UserBalance).where(UserBalance.shopping_mall_user_id == order.shopping_mall_user_id)
    )
    assert wallet.balance == Decimal("40.00")
    assert payment.status == "captured"
    assert rx.wallet_refunded(session, request.id) == Decimal("40.00")
    # Paid to store credit counts against what the order can still give back.
    other, *_ = raised(session, people, lines=((None, "10.00"),))
    assert rd.room_for(session, order, other).to_store_credit == Decimal("40.00")


def test_only_an_approved_request_is_executed(session, people):
    request, *_ = raised(session, people)
    with pytest.raises(InvalidTransition):
        rx.execute(session, request.id, actor=people["first"])
    assert request.status == "pending"


def test_an_unknown_destination_is_a_422(session, people):
    request, *_ = approved(session, people)
    with pytest.raises(ValidationError) as refused:
        rx.execute(session, request.id, destination="cash", actor=people["first"])
    assert "destination" in refused.value.field_errors


def test_a_refusing_gateway_changes_nothing(session, people):
    request, *_ = approved(session, people)

    class Refusing:
        name = "refusing"

        def refund(self, **_):
            return ProviderRefund("", FAILED, "", failure_category="card_closed")

    with pytest.raises(Conflict) as refused:
        rx.execute(session, request.id, actor=people["first"], provider=Refusing())
    assert "card_closed" in refused.value.message


def test_no_room_left_on_the_captures_is_a_409(session, people):
    request, order, _, payment, _ = approved(session, people)
    from tests.factories.request_orders import refund_paid

    refund_paid(session, payment, "60.00")
    with pytest.raises(Conflict) as refused:
        rx.execute(session, request.id, actor=people["first"])
    assert "USD\xa030.00 left" in refused.value.message


def test_split_always_sums_to_the_total():
    parts = rx.split(Decimal("10.00"), [Decimal(1), Decimal(1), Decimal(1)], "USD")
    assert parts == [Decimal("3.33"), Decimal("3.33"), Decimal("3.34")]
    assert rx.split(Decimal("1000"), [Decimal(2), Decimal(1)], "KRW") == [
        Decimal("666"),
        Decimal("334"),
    ]


# ---- captures drawn to the cent, fees given back to the cent, what a full refund records ----


def two_captures(session):
    """An order of 90.00 captured as 50.00 and then 40.00."""
    from datetime import timedelta

    from mallconsole.models import utcnow
    from tests.factories.request_orders import make_order

    order, _, payment = make_order(session, captured="50.00")
    first = session.scalar(
        select(PaymentCapture).where(PaymentCapture.shopping_mall_payment_id == payment.id)
    )
    first.captured_at = utcnow() - timedelta(days=2)
    second = build(session, PaymentCapture, shopping_mall_payment_id=payment.id,
                   amount=Decimal("40.00"), currency="USD", status="succeeded",
                   captured_at=utcnow() - timedelta(days=1))  # fmt: skip
    return order, payment, first, second


def settle(session, people, order, amount, destination="payment"):
    from mallconsole.services.aftersales import customer_requests as cr

    request = cr.raise_refund(session, order.id, [(None, amount)], reason_code="damaged",
                              note="", actor=people["agent"])  # fmt: skip
    rd.approve(session, request.id, amount=amount, actor=people["first"])
    return rx.execute(session, request.id, destination=destination, actor=people["second"])


def test_captures_are_drawn_to_the_cent_and_an_emptied_one_is_passed_over(session, people):
    order, payment, first, second = two_captures(session)
    # exactly the first capture: one refund, nothing asked of the second
    (whole,) = settle(session, people, order, "50.00").refunds
    assert (whole.amount, whole.shopping_mall_payment_capture_id) == (Decimal("50.00"), first.id)
    # the first is empty now: the next refund is the second's alone
    (most,) = settle(session, people, order, "39.50").refunds
    assert (most.amount, most.shopping_mall_payment_capture_id) == (Decimal("39.50"), second.id)
    # less than one unit left on a capture is still refunded
    (last,) = settle(session, people, order, "0.50").refunds
    assert (last.amount, last.shopping_mall_payment_capture_id) == (Decimal("0.50"), second.id)
    assert [left for _, left in rx.capture_room(session, payment.id)] == [0, 0]
    assert payment.status == "refunded" and order.status == "refunded"


def test_a_full_refund_records_the_payment_and_the_order_moves(session, people):
    request, order, _, payment, _ = approved(session, people, lines=((None, "90.00"),),
                                             amount="90.00")  # fmt: skip
    seen = order.version
    rx.execute(session, request.id, actor=people["second"])
    assert order.status == "refunded" and order.version == seen + 1
    paid = session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_id == payment.id, AuditEvent.action == "payment.refunded"
        )
    ).one()
    assert paid.actor_user_id == people["second"].id
    assert paid.changes == {"before": {"status": "captured"}, "after": {"status": "refunded"}}
    assert paid.summary == f"Payment of {order.order_number} refunded"
    moved = session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_id == order.id, AuditEvent.action == "order.refunded"
        )
    ).one()
    assert moved.actor_user_id == people["second"].id
    assert moved.summary == f"{order.order_number} refunded in full"
    assert moved.changes == {
        "before": {"status": "delivered"},
        "after": {"status": "refunded", "version": seen + 1},
    }


def test_the_fee_given_back_is_rounded_down_and_never_more_than_was_charged(session, people):
    from mallconsole.models import utcnow
    from tests.factories.request_orders import make_order

    _, order, *_ = approved(session, people, lines=((None, "40.00"),), amount="40.00")
    order_id = order.id
    seller = with_fee(session, order, amount="10.00")
    # the seller's part of the order is 60.00 of the 90.00 captured
    session.scalars(
        select(SellerOrder).where(SellerOrder.shopping_mall_order_id == order_id)
    ).one().grand_total = Decimal("60.00")
    # fees that are not this seller's on this order count for nothing
    other_order, *_ = make_order(session)
    build(session, Fee, shopping_mall_seller_id=seller, shopping_mall_order_id=other_order.id,
          fee_type="commission", amount=Decimal("50.00"), currency="USD")  # fmt: skip
    build(
        session,
        Fee,
        shopping_mall_order_id=order_id,
        fee_type="commission",
        amount=Decimal("50.00"),
        currency="USD",
    )  # fmt: skip  (another seller's)
    build(session, Fee, shopping_mall_seller_id=seller, shopping_mall_order_id=order_id,
          fee_type="commission", amount=Decimal("50.00"), currency="USD",
          deleted_at=utcnow())  # fmt: skip
    session.flush()
    request = session.scalars(
        select(RefundRequest).where(RefundRequest.shopping_mall_order_id == order_id)
    ).one()
    rx.execute(session, request.id, destination="wallet", actor=people["second"])
    settle(session, people, order, "40.00", destination="wallet")
    settle(session, people, order, "10.00", destination="wallet")
    back = [e.amount for e in entries(session, seller, "fee_reversal")]
    # 10 × 40 / 60 = 6.666… → 6.66; then only the 3.34 left; then nothing
    assert sorted(back) == [Decimal("3.34"), Decimal("6.66")]
    reversals = session.scalars(
        select(Fee.amount).where(
            Fee.shopping_mall_order_id == order_id, Fee.fee_type == "fee_reversal"
        )
    ).all()
    assert sorted(reversals) == [Decimal("-6.66"), Decimal("-3.34")]
    assert ledger.reconcile(session, seller, "USD") == []


def test_the_room_on_each_capture_counts_only_its_live_refunds_oldest_capture_first(
    session, people
):
    from datetime import timedelta

    from mallconsole.models import utcnow
    from tests.factories.request_orders import make_order, refund_paid

    order, _, payment = make_order(session, captured="40.00")
    newer = session.scalar(
        select(PaymentCapture).where(PaymentCapture.shopping_mall_payment_id == payment.id)
    )
    newer.captured_at = utcnow() - timedelta(days=1)
    # captured earlier though stored later: the oldest capture is drawn on first
    older = build(session, PaymentCapture, shopping_mall_payment_id=payment.id,
                  amount=Decimal("50.00"), currency="USD", status="succeeded",
                  captured_at=utcnow() - timedelta(days=2))  # fmt: skip
    for values in ({"status": "failed"}, {"status": "succeeded", "deleted_at": utcnow()}):
        build(session, PaymentCapture, shopping_mall_payment_id=payment.id,
              amount=Decimal("100.00"), currency="USD", **values)  # fmt: skip
    # another payment's captures and refunds are not this one's
    _, _, elsewhere = make_order(session, captured="500.00")
    refund_paid(session, elsewhere, "200.00")

    def on(capture, amount, **values):
        refund = refund_paid(session, payment, amount, **values)
        refund.shopping_mall_payment_capture_id = capture.id if capture else None
        return refund

    on(older, "10.00")
    on(older, "15.00")
    on(older, "20.00", status="failed")
    on(older, "20.00").deleted_at = utcnow()
    on(None, "30.00")  # refunds tied to no capture draw on the oldest first
    on(None, "2.00")
    session.flush()
    # older: 50 − 25 = 25, all taken by the 32 loose; newer: 40 − the 7 loose left = 33
    assert [(c.id, left) for c, left in rx.capture_room(session, payment.id)] == [
        (older.id, Decimal("0.00")),
        (newer.id, Decimal("33.00")),
    ]


def test_a_fee_under_one_unit_is_given_back_and_no_fee_gives_back_nothing(session, people):
    request, order, *_ = approved(session, people, lines=((None, "30.00"),), amount="30.00")
    seller = with_fee(session, order, amount="1.50")
    done = rx.execute(session, request.id, actor=people["second"])
    (refund,) = done.refunds
    # 1.50 × 30 / 90 = 0.50
    (back,) = entries(session, seller, "fee_reversal")
    assert back.amount == Decimal("0.50")
    (debit,) = entries(session, seller, "refund")
    number = request.refund_request_number
    for entry in (debit, back):
        assert entry.shopping_mall_order_id == order.id and entry.source_reference == number
        assert entry.shopping_mall_payment_refund_id == refund.id and entry.occurred_at
    assert debit.amount == Decimal("-30.00") and debit.note == (
        f"Refund {number} to the original payment"
    )
    assert back.note == f"Fee given back on refund {number}"
    # the payment refund and its event, as the gateway answered
    assert refund.currency == "USD" and refund.reason_category == "damaged"
    event = session.scalars(
        select(PaymentEvent).where(PaymentEvent.shopping_mall_payment_refund_id == refund.id)
    ).one()
    assert event.shopping_mall_payment_id == refund.shopping_mall_payment_id
    assert event.shopping_mall_payment_capture_id == refund.shopping_mall_payment_capture_id
    assert (event.type, event.raw_type, event.status, event.processed) == (
        "refund.succeeded", "refund.succeeded", "processed", True,
    )  # fmt: skip
    assert event.idempotency_key == f"refund:{number}:succeeded" and event.provider_event_id
    # no fee charged on an order: nothing is given back, not even a zero
    other, other_order, *_ = approved(session, people, lines=((None, "20.00"),), amount="20.00")
    rx.execute(session, other.id, destination="wallet", actor=people["second"])
    assert (
        session.scalars(
            select(Fee).where(
                Fee.shopping_mall_order_id == other_order.id, Fee.fee_type == "fee_reversal"
            )
        ).all()
        == []
    )
    record = session.scalars(
        select(UserBalanceRecord).where(
            UserBalanceRecord.shopping_mall_refund_request_id == other.id
        )
    ).one()
    paid = session.scalars(
        select(Payment.id).where(Payment.shopping_mall_order_id == other_order.id)
    )
    assert (record.actor_user_id, record.reason, record.shopping_mall_payment_id) == (
        people["second"].id, f"Refund {other.refund_request_number}", paid.one(),
    )  # fmt: skip
