"""Sellers with users, stores, addresses, inventory locations, payout accounts and KYC cases."""

from __future__ import annotations

from mallconsole.core import states
from mallconsole.demo.names import CITIES, SHOP_KINDS, SHOP_WORDS, STREETS
from mallconsole.demo.world import World

SELLER_WEIGHTS = {
    "active": 78,
    "pending_verification": 8,
    "suspended": 5,
    "draft": 5,
    "terminated": 4,
}
# Seller state -> the state of its latest verification case.
VERIFICATION_OF = {
    "draft": ("draft",),
    "pending_verification": ("pending", "action_required"),
    "active": ("approved",),
    "suspended": ("suspended",),
    "terminated": ("rejected",),
}
STORE_STATUS = {
    "draft": "draft",
    "pending_verification": "pending",
    "active": "active",
    "suspended": "suspended",
    "terminated": "closed",
}
# Sellers whose catalog is (or was) on sale.
SELLING = ("active", "suspended", "terminated")


def build_sellers(world: World) -> None:
    """Sellers of every state; the selling ones feed the catalog."""
    ops = world.refs["staff"]["ops@demo.mall"]
    sellers = []
    pending_seen = 0
    for i in range(world.count(60, minimum=12)):
        # Two sellers awaiting verification early on: one pending, one asked for more.
        state = world.state(i, (*states.SELLER, "pending_verification"), SELLER_WEIGHTS)
        word = SHOP_WORDS[i % len(SHOP_WORDS)]
        name = f"{word} {SHOP_KINDS[(i // len(SHOP_WORDS)) % len(SHOP_KINDS)]}"
        if i >= len(SHOP_WORDS) * len(SHOP_KINDS):
            name += f" {i}"
        code = f"S{i + 1:05d}"
        joined = world.ago(days=world.rng.randint(200, 700))
        email = f"seller{i + 1:05d}@sellers.demo.mall"
        user = world.add(
            "shopping_mall_users",
            at=joined,
            email=email,
            password_hash="!",  # sellers sign in to the storefront, never to the console
            email_verified=True,
            verified_at=joined,
            mfa_enabled=False,
            status="active" if state != "terminated" else "suspended",
            name=f"{name} owner",
        )
        world.add(
            "shopping_mall_seller",
            at=joined,
            shopping_mall_user_id=user["id"],
            assigned_at=joined,
        )
        seller = world.add(
            "shopping_mall_sellers",
            at=joined,
            shopping_mall_user_id=user["id"],
            seller_code=code,
            display_name=name,
            contact_email=email,
            contact_phone=f"+1-555-{1000 + i:04d}",
            state=state,
            default_locale="en-US",
        )
        city, region, zip3 = world.pick(CITIES)
        slug = name.lower().replace(" ", "-").replace(".", "")
        store = world.add(
            "shopping_mall_stores",
            at=joined,
            shopping_mall_seller_id=seller["id"],
            store_code=f"ST{i + 1:05d}",
            name=name,
            slug=f"{slug}-{i + 1}",
            description=f"{name}: independent seller from {city}.",
            status=STORE_STATUS[state],
            support_email=f"help@{slug.replace('-', '')}{i + 1}.example",
            logo_uri=f"https://cdn.demo.mall/stores/{code}/logo.png",
            timezone="America/Chicago",
        )
        line1 = f"{world.rng.randint(10, 9999)} {world.pick(STREETS)}"
        postal = f"{zip3}{world.rng.randint(10, 99)}"
        location = world.add(
            "shopping_mall_inventory_locations",
            at=joined,
            shopping_mall_store_id=store["id"],
            code="MAIN",
            name=f"{city} warehouse",
            address=f"{line1}, {city}, {region} {postal}",
            region=region,
            active=True,
        )
        for kind in ("warehouse", "return"):
            world.add(
                "shopping_mall_seller_addresses",
                at=joined,
                shopping_mall_seller_id=seller["id"],
                shopping_mall_store_id=store["id"],
                address_type=kind,
                label=f"{kind.title()} address",
                recipient=name,
                phone=f"+1-555-{1000 + i:04d}",
                country_code="US",
                region=region,
                city=city,
                postal_code=postal,
                address_line1=line1,
                is_default=kind == "warehouse",
            )
        verified = state in SELLING and not (state == "active" and i % 9 == 4)
        account = world.add(
            "shopping_mall_seller_payout_accounts",
            at=joined,
            shopping_mall_seller_id=seller["id"],
            external_reference=f"ba_{code.lower()}_{world.rng.getrandbits(40):010x}",
            status="verified" if verified else "unverified",
            account_holder_name=name,
            bank_name=world.pick(("First Federal", "Union Bank", "Harbor Credit Union")),
            account_number_masked=f"****{world.rng.randint(0, 9999):04d}",
            routing_number_masked=f"*****{world.rng.randint(0, 9999):04d}",
            country_code="US",
            currency="USD",
            primary=True,
            verified_at=joined if verified else None,
        )
        options = VERIFICATION_OF[state]
        verification_state = options[pending_seen % len(options)]
        if state == "pending_verification":
            pending_seen += 1
        submitted = world.ago(days=world.rng.randint(1, 12)) if state != "active" else joined
        decided = verification_state in ("approved", "rejected", "suspended", "action_required")
        world.add(
            "shopping_mall_seller_verifications",
            at=submitted,
            shopping_mall_seller_id=seller["id"],
            approved_by_user_id=ops if verification_state == "approved" else None,
            case_reference=f"KYC-{code}-1",
            state=verification_state,
            submitted_at=submitted,
            reviewed_at=world.after(submitted, days=2) if decided else None,
            reason={
                "action_required": "proof of address is unreadable; please upload again",
                "rejected": "business registration could not be confirmed",
                "suspended": "chargeback ratio above policy",
            }.get(verification_state),
            kyc_level="business",
            documents_uri=f"https://kyc.demo.mall/cases/{code}/documents",
        )
        sellers.append(
            {
                "id": seller["id"],
                "user_id": user["id"],
                "state": state,
                "name": name,
                "store_id": store["id"],
                "location_id": location["id"],
                "payout_account_id": account["id"],
                "payout_verified": verified,
                "ship_from": (name, line1, city, region, postal),
            }
        )
        world.refs.setdefault("location_names", {})[location["id"]] = location["name"]
    world.refs["sellers"] = sellers
