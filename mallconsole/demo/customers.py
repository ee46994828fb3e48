"""Customers (users with a customer role row, no console access) with addresses, consents,
payment methods and store-credit wallets; carts, wishlists and abandoned-cart events."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from decimal import Decimal

from mallconsole.demo.names import CITIES, FIRST_NAMES, LAST_NAMES, STREETS
from mallconsole.demo.world import ZERO, World, money


def build_customers(world: World) -> None:
    """``refs['customers']``: one dict per customer for orders, cases and reviews."""
    customers = []
    support = world.refs["staff"]["support@demo.mall"]
    # Sign-in histories draw from a source of their own: the rest of the world stays as it was.
    security = random.Random(f"customer-security-{world.seed}")
    for i in range(world.count(3000, minimum=60)):
        first, last = world.pick(FIRST_NAMES), world.pick(LAST_NAMES)
        name = f"{first} {last}"
        joined = world.ago(days=world.rng.randint(45, 900))
        phone = f"+1-555-{world.rng.randint(200, 999):03d}-{world.rng.randint(0, 9999):04d}"
        user = world.add(
            "shopping_mall_users",
            at=joined,
            email=f"{first.lower()}.{last.lower()}.{i + 1}@customers.demo.mall",
            password_hash="!",  # customers sign in to the storefront, never to the console
            email_verified=world.chance(0.9),
            mfa_enabled=False,
            status="active" if i % 97 else "suspended",
            name=name,
            nickname=first,
            phone=phone,
            last_login_at=world.ago(days=world.rng.randint(0, 30)),
        )
        uid = user["id"]
        role = world.add(
            "shopping_mall_customer", at=joined, shopping_mall_user_id=uid, assigned_at=joined
        )
        city, region, zip3 = world.pick(CITIES)
        address = world.add(
            "shopping_mall_user_addresses",
            at=joined,
            shopping_mall_user_id=uid,
            type="shipping",
            recipient=name,
            phone=phone,
            country="US",
            region=region,
            city=city,
            postal_code=f"{zip3}{world.rng.randint(10, 99)}",
            address_line1=f"{world.rng.randint(1, 9999)} {world.pick(STREETS)}",
            address_line2=world.pick((None, None, f"Apt {world.rng.randint(1, 40)}")),
            default_shipping=True,
            default_billing=True,
            serviceable=True,
            verified=True,
            validated_at=joined,
        )
        marketing = world.chance(0.55)
        for scope, granted in (
            ("marketing_email", marketing),
            ("personalization", world.chance(0.7)),
        ):
            world.add(
                "shopping_mall_consents",
                at=joined,
                shopping_mall_user_id=uid,
                scope=scope,
                granted=granted,
                granted_at=joined if granted else None,
                revoked_at=None if granted or world.chance(0.6) else world.ago(days=10),
            )
        method = world.add(
            "shopping_mall_payment_methods",
            at=joined,
            shopping_mall_user_id=uid,
            shopping_mall_user_address_id=address["id"],
            method_type="card",
            display_name=world.pick(("Visa", "Mastercard", "Amex")),
            last4=f"{world.rng.randint(0, 9999):04d}",
            exp_month=world.rng.randint(1, 12),
            exp_year=world.now.year + world.rng.randint(0, 4),
            fingerprint=f"fp_{world.rng.getrandbits(64):016x}",
            provider_reference=f"pm_{world.rng.getrandbits(80):020x}",
            default_method=True,
            active=True,
        )
        _security_events(world, security, uid, joined)
        if world.chance(0.15):
            _wallet(world, uid, joined, support)
        customers.append(
            {
                "id": uid,
                "role_id": role["id"],
                "name": name,
                "phone": phone,
                "address": address,
                "method_id": method["id"],
                "marketing": marketing,
            }
        )
    world.refs["customers"] = customers


SIGN_IN_EVENTS = {"login_success": 8, "login_failure": 2, "logout": 3, "password_changed": 1}


def _security_events(world: World, rng: random.Random, user_id: str, joined) -> None:
    """A few storefront sign-in events per customer, newest within the last month."""
    kinds, weights = zip(*SIGN_IN_EVENTS.items(), strict=True)
    for _ in range(rng.randint(1, 5)):
        at = world.ago(days=rng.uniform(0, 30))
        if at <= joined:
            continue
        kind = rng.choices(kinds, weights)[0]
        world.add(
            "shopping_mall_user_security_events",
            id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            at=at,
            shopping_mall_user_id=user_id,
            event_type=kind,
            reason="wrong password" if kind == "login_failure" else None,
            ip=f"198.51.100.{rng.randint(1, 254)}",
            user_agent=rng.choice(("Safari on iPhone", "Chrome on Windows", "Firefox on Linux")),
            occurred_at=at,
        )


def _wallet(world: World, user_id: str, joined, actor: str) -> None:
    """A store-credit wallet whose balance is the sum of its records (balance_after running)."""
    wallet_id = world.uid()
    balance = ZERO
    # At most 6 records 5.5 days apart: they all fall before now.
    at = world.between(joined, world.ago(days=40))
    records = []
    for _ in range(world.rng.randint(1, 6)):
        kind = (
            "charge"
            if balance == ZERO
            else world.pick(("charge", "use", "use", "refund", "adjust"))
        )
        if kind == "use":
            amount = -money(balance * Decimal(world.rng.randint(20, 100)) / 100)
        elif kind == "adjust":
            amount = money(world.pick(("5", "-2.50", "10")))
            amount = max(amount, -balance)
        else:
            amount = money(world.pick(("10", "15", "25", "40", "12.34")))
        balance += amount
        at = at + timedelta(days=world.rng.randint(1, 5), minutes=world.rng.randint(0, 600))
        records.append((kind, amount, balance, at))
    world.refs.setdefault("wallets", []).append(
        {"id": wallet_id, "user_id": user_id, "balance": balance}
    )
    world.add(
        "shopping_mall_user_balances",
        id=wallet_id,
        at=joined,
        updated_at=records[-1][3],
        shopping_mall_user_id=user_id,
        currency="USD",
        balance=balance,
    )
    for kind, amount, after, when in records:
        world.add(
            "shopping_mall_user_balance_records",
            at=when,
            shopping_mall_user_balance_id=wallet_id,
            type=kind,
            amount=amount,
            balance_after=after,
            actor_user_id=actor if kind in ("charge", "adjust") else None,
            reason={"charge": "goodwill credit", "adjust": "rounding correction"}.get(kind),
        )


def build_carts(world: World) -> None:
    """Active, merged, expired and guest carts, wishlists, abandoned-cart events and the
    inventory reservations carts hold (active, extended, released, expired)."""
    skus = world.refs["skus"]
    customers = world.refs["customers"]
    for i in range(world.count(1500, minimum=20)):
        kind = (
            ("active", "merged", "expired", "guest")[i % 4]
            if i < 8
            else world.weighted({"active": 45, "merged": 10, "expired": 35, "guest": 10})
        )
        customer = world.pick(customers)
        created = world.ago(
            days=world.rng.uniform(0, 2) if kind != "expired" else world.rng.uniform(3, 40)
        )
        guest_id = None
        if kind in ("merged", "guest"):
            guest_user = world.add(
                "shopping_mall_users",
                at=created,
                email=f"guest-{world.uid()[:12]}@guests.demo.mall",
                password_hash="!",
                email_verified=False,
                mfa_enabled=False,
                status="active",
            )
            guest_id = world.add(
                "shopping_mall_guest",
                at=created,
                shopping_mall_user_id=guest_user["id"],
                assigned_at=created,
            )["id"]
        cart = world.add(
            "shopping_mall_carts",
            at=created,
            shopping_mall_user_id=None if kind in ("merged", "guest") else customer["id"],
            shopping_mall_guest_id=guest_id,
            device_token=f"dev_{world.rng.getrandbits(48):012x}" if guest_id else None,
            is_active=kind in ("active", "guest"),
            expires_at=(world.now + timedelta(days=7))
            if kind in ("active", "guest")
            else created + timedelta(days=2),
            last_recalculated_at=created,
            merged_at=world.after(created, hours=2) if kind == "merged" else None,
        )
        if kind == "merged":
            # The guest signed in: the guest cart was merged into the customer's cart.
            world.add(
                "shopping_mall_carts",
                at=created,
                shopping_mall_user_id=customer["id"],
                source_cart_id=cart["id"],
                is_active=True,
                expires_at=world.now + timedelta(days=30),
                last_recalculated_at=cart["merged_at"],
            )
        if kind == "active" and world.due("cart_coupon", 1, 0.15):
            coupon_id = world.pick([c for _, _, c in world.refs["order_promotions"] if c])
            world.add(
                "shopping_mall_cart_coupons",
                at=created,
                shopping_mall_cart_id=cart["id"],
                shopping_mall_coupon_id=coupon_id,
                applied_at=created,
            )
        chosen = world.rng.sample(skus, min(len(skus), world.rng.randint(1, 4)))
        for sku in chosen:
            quantity = world.rng.randint(1, 3)
            world.add(
                "shopping_mall_cart_items",
                at=created,
                shopping_mall_cart_id=cart["id"],
                shopping_mall_sku_id=sku[0],
                quantity=quantity,
            )
            if kind == "active":
                reserved = world.due("active_hold", 2, 0.4)
            else:
                reserved = world.chance(0.4)
            if reserved:
                if kind == "active":
                    status = ("active", "extended")[world.serial("cart_hold") % 2]
                else:
                    status = {"guest": "active", "merged": "released", "expired": "expired"}[kind]
                expires = created + timedelta(minutes=30 if status != "extended" else 60)
                if status in ("active", "extended"):
                    expires = world.now + timedelta(minutes=world.rng.randint(5, 55))
                world.add(
                    "shopping_mall_inventory_reservations",
                    at=created,
                    shopping_mall_sku_id=sku[0],
                    shopping_mall_inventory_location_id=sku[4],
                    shopping_mall_cart_id=cart["id"],
                    shopping_mall_user_id=cart["shopping_mall_user_id"],
                    reservation_token=f"rsv_{world.uid()}",
                    quantity=quantity,
                    status=status,
                    reserved_at=created,
                    reservation_expires_at=expires,
                    released_at=cart["merged_at"] if status == "released" else None,
                )
        if kind == "expired":
            abandoned = created + timedelta(hours=world.rng.randint(2, 20))
            world.add(
                "shopping_mall_abandoned_cart_events",
                at=abandoned,
                shopping_mall_cart_id=cart["id"],
                event_type="abandoned",
                occurred_at=abandoned,
            )
            # A few reminders went out although the customer gave no marketing consent:
            # work for the compliance review in the admin console.
            if customer["marketing"] or world.due("reminder_without_consent", 2, 0.08):
                sent = abandoned + timedelta(hours=24)
                world.add(
                    "shopping_mall_abandoned_cart_events",
                    at=sent,
                    shopping_mall_cart_id=cart["id"],
                    event_type="reminder_sent",
                    reason_code="consented" if customer["marketing"] else "no_consent_on_file",
                    occurred_at=sent,
                )
    for customer in world.rng.sample(customers, len(customers) // 5):
        wishlist = world.add(
            "shopping_mall_wishlists",
            at=world.ago(days=world.rng.randint(1, 200)),
            shopping_mall_user_id=customer["id"],
            name="Saved for later",
            is_default=True,
        )
        for sku in world.rng.sample(skus, min(len(skus), world.rng.randint(1, 5))):
            world.add(
                "shopping_mall_wishlist_items",
                at=wishlist["created_at"],
                shopping_mall_wishlist_id=wishlist["id"],
                shopping_mall_sku_id=sku[0],
            )
