"""Promotions of every state with rules; limited-quantity coupon campaigns partly issued
(remaining = initial - issued); public coupon codes that orders redeem."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from mallconsole.core import states
from mallconsole.demo.world import World, money

# (name, percent, auto_apply, public code): the promotions orders of the demo history use.
ORDER_PROMOTIONS = (
    ("Spring sale 10%", 10, True, None),
    ("Welcome 15%", 15, False, "WELCOME15"),
    ("Loyalty 5%", 5, False, "THANKYOU5"),
)


def build_promotions(world: World) -> None:
    """``refs['order_promotions']``: (promotion id, percent, coupon id or None)."""
    customers = world.refs["customers"]
    order_promotions = []
    for name, percent, auto_apply, code in ORDER_PROMOTIONS:
        promo = _promotion(
            world,
            name,
            "active",
            percent=percent,
            auto_apply=auto_apply,
            starts=world.ago(days=400),
        )
        _rule(world, promo, min_subtotal=money(0))
        coupon_id = None
        if code:
            coupon_id = world.add(
                "shopping_mall_coupons",
                at=promo["created_at"],
                shopping_mall_promotion_id=promo["id"],
                code=code,
                status="active",
                issued_at=promo["created_at"],
                single_use=False,
                one_per_order=True,
                usable_from=promo["starts_at"],
            )["id"]
        order_promotions.append((promo["id"], Decimal(percent), coupon_id))
    world.refs["order_promotions"] = order_promotions

    # Campaigns: every promotion state, each with a limited coupon run partly issued.
    serial = 0
    for i in range(world.count(12, minimum=len(states.PROMOTION))):
        status = world.state(i, states.PROMOTION)
        starts = {
            "draft": world.now + timedelta(days=14),
            "active": world.ago(days=10),
            "paused": world.ago(days=20),
            "expired": world.ago(days=120),
            "archived": world.ago(days=300),
        }[status]
        initial = world.pick((50, 100, 200))
        issued = 0 if status == "draft" else world.rng.randint(initial // 5, initial - 5)
        promo = _promotion(
            world,
            f"Campaign {i + 1}: {world.pick(('Back to school', 'Holiday', 'Flash', 'VIP'))}",
            status,
            percent=world.pick((10, 20, 25)),
            auto_apply=False,
            starts=starts,
            initial=initial,
            remaining=initial - issued,
        )
        _rule(world, promo, min_subtotal=money(world.pick((25, 50, 100))))
        for _ in range(issued):
            serial += 1
            customer = world.pick(customers)
            coupon_status = world.state(serial - 1, states.COUPON) if status != "draft" else "draft"
            if status in ("expired", "archived") and coupon_status == "active":
                coupon_status = status
            issued_at = world.after(promo["starts_at"], days=5)
            world.add(
                "shopping_mall_coupons",
                at=issued_at,
                shopping_mall_promotion_id=promo["id"],
                shopping_mall_customer_id=customer["role_id"],
                code=f"C{i + 1:03d}-{serial:06d}-{world.rng.getrandbits(20):05X}",
                status=coupon_status,
                issued_at=issued_at,
                expires_at=promo["ends_at"],
                max_redemptions_total=1,
                max_redemptions_per_customer=1,
                single_use=True,
                one_per_order=True,
                usable_from=issued_at,
                usable_to=promo["ends_at"],
            )


def _promotion(world, name, status, *, percent, auto_apply, starts, initial=None, remaining=None):
    ends = (
        None if status in ("active", "draft") and initial is None else starts + timedelta(days=60)
    )
    if status == "active" and initial is not None:
        ends = world.now + timedelta(days=20)
    return world.add(
        "shopping_mall_promotions",
        at=min(starts - timedelta(days=3), world.ago(days=1)),  # drafts start in the future
        name=name,
        description=f"{name} ({percent}% off)",
        status=status,
        priority=world.rng.randint(1, 100),
        exclusive=False,
        auto_apply=auto_apply,
        discount_type="percentage",
        discount_percentage=Decimal(percent),
        currency="USD",
        starts_at=starts,
        ends_at=ends,
        max_redemptions_per_customer=1 if initial else None,
        initial_quantity=initial,
        remaining_quantity=remaining,
        max_discount_amount=money(50) if initial else None,
    )


def _rule(world, promo, *, min_subtotal):
    world.add(
        "shopping_mall_promotion_rules",
        at=promo["created_at"],
        shopping_mall_promotion_id=promo["id"],
        rule_type="cart",
        attribute="subtotal",
        operator="gte",
        value_double=min_subtotal,
        min_subtotal=min_subtotal,
    )
