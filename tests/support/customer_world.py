"""A customer with a history (addresses, consents, security events, wallet, coupons, reviews,
cases, orders with payments and shipments), for the customer 360 and order screen tests."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from mallconsole.models import (
    Carrier,
    Consent,
    Coupon,
    CouponRedemption,
    Customer,
    Order,
    OrderItem,
    OrderStatusHistory,
    Payment,
    PaymentAuthorization,
    PaymentCapture,
    PaymentRefund,
    RefundRequest,
    Review,
    SellerOrder,
    Shipment,
    ShipmentEvent,
    SupportCase,
    User,
    UserAddress,
    UserBalance,
    UserBalanceRecord,
    UserSecurityEvent,
    utcnow,
)
from tests.factories.records import build

_SERIAL = itertools.count(1)


def make_customer(session, *, name="Tariq Torres", email=None, phone="+1-555-234-5678"):
    """A customer user with a shipping address in Portland."""
    email = email or f"{name.lower().replace(' ', '.')}@customers.test"
    user = build(session, User, email=email, name=name, phone=phone, status="active")
    role = build(session, Customer, shopping_mall_user_id=user.id, assigned_at=utcnow())
    address = build(
        session,
        UserAddress,
        shopping_mall_user_id=user.id,
        type="shipping",
        recipient=name,
        phone=phone,
        country="US",
        region="OR",
        city="Portland",
        postal_code="97201",
        address_line1="12 Secret Lane",
        default_shipping=True,
        deleted_at=None,
    )
    return user, role, address


def add_orders(session, user, address, count, *, start=None):
    """``count`` orders of the customer, one a minute apart."""
    start = start or utcnow() - timedelta(days=30)
    orders = []
    for n in range(count):
        orders.append(
            build(
                session,
                Order,
                shopping_mall_user_id=user.id,
                shopping_mall_shipping_address_id=address.id,
                order_number=f"ORD-20261101-{next(_SERIAL):06d}",
                status="delivered",
                currency="USD",
                grand_total=Decimal("10.00") + n,
                placed_at=start + timedelta(minutes=n),
                deleted_at=None,
            )
        )
    return orders


def add_history(session, user, role, count=1):
    """``count`` of each kind of record the customer screen lists."""
    now = utcnow()
    balance = session.scalar(
        select(UserBalance).where(UserBalance.shopping_mall_user_id == user.id)
    )
    if balance is None:  # one consent per scope and one balance per currency
        build(
            session,
            Consent,
            shopping_mall_user_id=user.id,
            scope="marketing_email",
            granted=True,
            granted_at=now,
            revoked_at=None,
        )
        balance = build(
            session,
            UserBalance,
            shopping_mall_user_id=user.id,
            currency="USD",
            balance=Decimal("25.00"),
        )
    for n in range(count):
        at = now - timedelta(hours=n + 1)
        build(
            session,
            UserSecurityEvent,
            shopping_mall_user_id=user.id,
            shopping_mall_user_session_id=None,
            event_type="login_failure",
            occurred_at=at,
        )
        build(
            session,
            UserBalanceRecord,
            shopping_mall_user_balance_id=balance.id,
            type="charge",
            amount=Decimal("1.00"),
            balance_after=Decimal(n + 1),
            shopping_mall_order_id=None,
            shopping_mall_payment_id=None,
            shopping_mall_refund_request_id=None,
            actor_user_id=None,
            created_at=at,
        )
        coupon = build(
            session,
            Coupon,
            shopping_mall_customer_id=role.id,
            shopping_mall_promotion_id=None,
            code=f"WELCOME-{next(_SERIAL):06d}",
            status="active",
            issued_at=at,
            deleted_at=None,
        )
        build(
            session,
            CouponRedemption,
            shopping_mall_coupon_id=coupon.id,
            shopping_mall_customer_id=role.id,
            shopping_mall_order_id=None,
            shopping_mall_cart_id=None,
            redeemed_at=at,
            status="applied",
            amount_applied=Decimal("2.50"),
            currency="USD",
            deleted_at=None,
        )
        build(
            session,
            Review,
            author_user_id=user.id,
            title=f"Review {n}",
            rating=Decimal("4.5"),
            state="approved",
            deleted_at=None,
            created_at=at,
        )
        build(
            session,
            SupportCase,
            customer_user_id=user.id,
            case_number=f"CAS-20261101-{next(_SERIAL):06d}",
            subject="Parcel never came",
            status="open",
            priority="normal",
            deleted_at=None,
            created_at=at,
        )


def add_order_details(session, order, count=1):
    """``count`` of each section the order screen shows, under ``order``."""
    now = utcnow()
    seller_order = build(
        session,
        SellerOrder,
        shopping_mall_order_id=order.id,
        status="delivered",
        currency="USD",
        deleted_at=None,
    )
    payment = build(
        session,
        Payment,
        shopping_mall_order_id=order.id,
        shopping_mall_user_id=order.shopping_mall_user_id,
        amount=order.grand_total,
        currency="USD",
        status="partially_refunded",
        method_type="card",
        provider="stripe",
        deleted_at=None,
    )
    carrier = build(
        session,
        Carrier,
        name="UPS",
        tracking_url_template="https://www.ups.com/track?tracknum={tracking_number}",
    )
    for n in range(count):
        at = now - timedelta(hours=count - n)
        build(
            session,
            OrderItem,
            shopping_mall_order_id=order.id,
            shopping_mall_seller_order_id=seller_order.id,
            line_position=n + 1,
            product_name=f"Rain jacket {n}",
            option_summary="Colour: teal, Size: M",
            quantity=1,
            unit_price=Decimal("10.00"),
            line_grand_total=Decimal("10.00"),
            currency="USD",
            deleted_at=None,
        )
        build(
            session,
            OrderStatusHistory,
            shopping_mall_order_id=order.id,
            triggered_by_user_id=None,
            status="confirmed" if n else "pending_payment",
            recorded_at=at,
            deleted_at=None,
        )
        build(
            session,
            PaymentAuthorization,
            shopping_mall_payment_id=payment.id,
            amount=Decimal("10.00"),
            currency="USD",
            status="authorized",
            authorized_at=at,
            deleted_at=None,
        )
        build(
            session,
            PaymentCapture,
            shopping_mall_payment_id=payment.id,
            shopping_mall_shipment_id=None,
            amount=Decimal("10.00"),
            currency="USD",
            status="captured",
            captured_at=at,
            deleted_at=None,
        )
        build(
            session,
            PaymentRefund,
            shopping_mall_payment_id=payment.id,
            shopping_mall_payment_capture_id=None,
            shopping_mall_refund_request_id=None,
            amount=Decimal("1.00"),
            currency="USD",
            status="succeeded",
            refunded_at=at,
            deleted_at=None,
        )
        shipment = build(
            session,
            Shipment,
            shopping_mall_order_id=order.id,
            shopping_mall_carrier_id=carrier.id,
            shopping_mall_store_id=None,
            shipment_number=f"SHP-{order.id[:6]}-{n}",
            tracking_number=f"1Z{n:08d}",
            tracking_url=None,
            status="in_transit",
            deleted_at=None,
            created_at=at,
        )
        build(
            session,
            ShipmentEvent,
            shopping_mall_shipment_id=shipment.id,
            canonical_event="picked_up",
            event_at=at,
            location_description="Portland, OR",
            customer_visible=True,
            correlation_id=None,
        )
        build(
            session,
            RefundRequest,
            shopping_mall_order_id=order.id,
            refund_request_number=f"RR-{order.id[:6]}-{n}",
            status="pending_second_approval",
            reason_code="damaged",
            total_requested_amount=Decimal("5.00"),
            currency="USD",
            shopping_mall_return_request_id=None,
            shopping_mall_support_case_id=None,
            deleted_at=None,
            created_at=at,
        )
        build(
            session,
            SupportCase,
            order_id=order.id,
            customer_user_id=order.shopping_mall_user_id,
            case_number=f"CAS-20261102-{next(_SERIAL):06d}",
            subject="Where is my parcel?",
            status="pending",
            priority="high",
            deleted_at=None,
            created_at=at,
        )
    return payment
