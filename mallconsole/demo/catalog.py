"""Categories (a tree), brands, option types, carriers, products with media, attributes,
options and SKUs, and inventory records (some at or below safety stock) with adjustments."""

from __future__ import annotations

from decimal import Decimal

from mallconsole.core import states
from mallconsole.demo.audit import audit
from mallconsole.demo.names import (
    ADJECTIVES,
    BRANDS,
    CARRIERS,
    CATEGORY_TREE,
    COLORS,
    PRODUCT_NOUNS,
    RETIRED_CARRIER,
    SIZES,
)
from mallconsole.demo.sellers import SELLING
from mallconsole.demo.world import World, money
from mallconsole.models.base import uri_digest

PRODUCTS_PER_STORE = 10


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")


def build_reference_data(world: World) -> None:
    """Categories, brands, option types and values, carriers."""
    leaves = []
    for order, (root, children) in enumerate(CATEGORY_TREE.items()):
        parent = world.add(
            "shopping_mall_categories",
            at=world.ago(days=800),
            name=root,
            slug=_slug(root),
            display_order=order,
            status="active",
        )
        for position, child in enumerate(children):
            leaf = world.add(
                "shopping_mall_categories",
                at=world.ago(days=800),
                parent_id=parent["id"],
                name=child,
                slug=_slug(child),
                display_order=position,
                status="active" if position < 3 else "hidden",
            )
            leaves.append((leaf["id"], parent["id"], child))
    brands = [
        world.add(
            "shopping_mall_brands",
            at=world.ago(days=800),
            name=name,
            slug=_slug(name),
            website=f"https://{name.lower()}.example",
        )["id"]
        for name in BRANDS
    ]
    color = world.add(
        "shopping_mall_option_types",
        at=world.ago(days=800),
        code="color",
        name="Color",
        sort_order=0,
    )
    size = world.add(
        "shopping_mall_option_types", at=world.ago(days=800), code="size", name="Size", sort_order=1
    )
    colors = [
        world.add(
            "shopping_mall_option_values",
            at=world.ago(days=800),
            shopping_mall_option_type_id=color["id"],
            code=code,
            value=label,
            hex_color=hex_color,
            sort_order=n,
        )
        for n, (code, label, hex_color) in enumerate(COLORS)
    ]
    sizes = [
        world.add(
            "shopping_mall_option_values",
            at=world.ago(days=800),
            shopping_mall_option_type_id=size["id"],
            code=code,
            value=label,
            sort_order=n,
        )
        for n, (code, label) in enumerate(SIZES)
    ]
    carriers = []
    for code, name, template, phone in CARRIERS:
        carriers.append(
            world.add(
                "shopping_mall_carriers",
                at=world.ago(days=800),
                code=code,
                name=name,
                tracking_url_template=template,
                phone=phone,
                active=True,
            )
        )
    _retired_carrier(world)
    world.refs.update(
        leaves=leaves,
        brands=brands,
        option_types=(color["id"], size["id"]),
        colors=colors,
        sizes=sizes,
        carriers=carriers,
    )


def _retired_carrier(world: World) -> None:
    """A carrier deactivated a while ago by ops@demo.mall (audited): the older shipments keep
    it (``refs['retired_carrier']``: the row and when it stopped taking shipments)."""
    code, name, template, days, reason = RETIRED_CARRIER
    retired_at = world.ago(days=days)
    carrier = world.add(
        "shopping_mall_carriers",
        at=world.ago(days=800),
        updated_at=retired_at,
        code=code,
        name=name,
        tracking_url_template=template,
        active=False,
        version=2,
    )
    audit(
        world,
        actor=world.refs["staff"]["ops@demo.mall"],
        table="shopping_mall_carriers",
        entity_id=carrier["id"],
        action="carrier.deactivated",
        at=retired_at,
        before={"active": True, "version": 1},
        after={"active": False, "version": 2},
        reason=reason,
        summary=f"Carrier {name} deactivated",
    )
    world.refs["retired_carrier"] = (carrier, retired_at)


def build_catalog(world: World) -> None:
    """Products of the selling sellers; ``refs['skus']`` lists what customers can buy."""
    color_type, size_type = world.refs["option_types"]
    skus_on_sale = []
    sku_serial = 0
    for seller in world.refs["sellers"]:
        if seller["state"] not in SELLING:
            continue
        for p in range(PRODUCTS_PER_STORE):
            leaf_id, root_id, leaf_name = world.pick(world.refs["leaves"])
            noun = world.pick(PRODUCT_NOUNS[leaf_name])
            title = f"{world.pick(ADJECTIVES)} {noun}"
            created = world.ago(days=world.rng.randint(190, 600))
            status = "active" if p < PRODUCTS_PER_STORE - 2 else world.pick(("draft", "archived"))
            if seller["state"] != "active":
                status = "archived" if seller["state"] == "terminated" else status
            product = world.add(
                "shopping_mall_products",
                at=created,
                shopping_mall_store_id=seller["store_id"],
                shopping_mall_category_id=leaf_id,
                shopping_mall_brand_id=world.pick(world.refs["brands"]),
                title=title,
                slug=f"{_slug(title)}-{seller['store_id'][:8]}-{p}",
                short_description=f"{title} from {seller['name']}.",
                long_description=(
                    f"The {title.lower()} is made to last. Ships from {seller['name']}."
                ),
                status=status,
                published_at=created if status != "draft" else None,
            )
            pid = product["id"]
            for category in (leaf_id, root_id):
                world.add(
                    "shopping_mall_product_categories",
                    at=created,
                    shopping_mall_product_id=pid,
                    shopping_mall_category_id=category,
                )
            for n, (name, data_type) in enumerate(
                (("material", "string"), ("warranty_months", "int"))
            ):
                attribute = world.add(
                    "shopping_mall_product_attributes",
                    at=created,
                    shopping_mall_product_id=pid,
                    name=name,
                    data_type=data_type,
                    required=n == 0,
                    filterable=True,
                    display_order=n,
                )
                world.add(
                    "shopping_mall_product_attribute_values",
                    at=created,
                    shopping_mall_product_attribute_id=attribute["id"],
                    value_string=world.pick(("cotton", "steel", "recycled plastic", "oak"))
                    if data_type == "string"
                    else None,
                    value_int=world.pick((6, 12, 24)) if data_type == "int" else None,
                )
            for n in range(world.rng.randint(1, 3)):
                uri = f"https://cdn.demo.mall/products/{pid}/{n + 1}.jpg"
                world.add(
                    "shopping_mall_product_media",
                    at=created,
                    shopping_mall_product_id=pid,
                    kind="image",
                    uri=uri,
                    uri_hash=uri_digest(uri),
                    alt_text=f"{title}, view {n + 1}",
                    display_order=n,
                    is_primary=n == 0,
                )
            variants = _variants(world)
            option_types = sorted({t for combo in variants for t, _ in combo})
            for n, type_id in enumerate(option_types):
                world.add(
                    "shopping_mall_product_options",
                    at=created,
                    shopping_mall_product_id=pid,
                    shopping_mall_option_type_id=type_id,
                    required=True,
                    display_order=n,
                )
            base = Decimal(world.rng.randint(5, 250)) - Decimal("0.01")
            for combo in variants:
                sku_serial += 1
                price = money(base + Decimal(world.rng.randint(0, 3) * 5))
                summary = " / ".join(v["value"] for _, v in combo) or None
                key = "|".join(f"{t[:8]}:{v['code']}" for t, v in combo) or "default"
                sku = world.add(
                    "shopping_mall_skus",
                    at=created,
                    shopping_mall_product_id=pid,
                    sku_code=f"SKU-{sku_serial:07d}",
                    seller_sku_code=f"{seller['store_id'][:4].upper()}-{sku_serial}",
                    status="active" if status == "active" else "inactive",
                    base_price=price,
                    currency="USD",
                    barcode=f"0{world.rng.randint(10**10, 10**11 - 1)}",
                    weight=Decimal(world.rng.randint(100, 5000)) / 1000,
                    combination_key=key,
                )
                for type_id, value in combo:
                    world.add(
                        "shopping_mall_sku_option_values",
                        at=created,
                        shopping_mall_sku_id=sku["id"],
                        shopping_mall_option_value_id=value["id"],
                        shopping_mall_option_type_id=type_id,
                    )
                _stock(world, sku["id"], seller, created)
                if status == "active":
                    skus_on_sale.append(
                        (
                            sku["id"],
                            pid,
                            seller["id"],
                            seller["store_id"],
                            seller["location_id"],
                            price,
                            title,
                            summary,
                        )
                    )
    world.refs["skus"] = skus_on_sale


def _variants(world: World) -> list[list[tuple[str, dict]]]:
    """Option combinations of one product: none, colors, or colors x sizes."""
    color_type, size_type = world.refs["option_types"]
    shape = world.rng.random()
    if shape < 0.3:
        return [[]]
    colors = world.rng.sample(world.refs["colors"], world.rng.randint(1, 3))
    if shape < 0.7:
        return [[(color_type, c)] for c in colors]
    sizes = world.rng.sample(world.refs["sizes"], 2)
    return [[(color_type, c), (size_type, s)] for c in colors[:2] for s in sizes]


# Stock changed by hand (customer returns put back come from the returns, demo/aftersales.py):
# each reason with the changes it makes (receive only adds, damage only takes away) and a note.
STOCK_CHANGES = {
    "receive": ((5, 10, 24, 48), "Delivery from the supplier checked in"),
    "correction": ((-2, -1, 1, 3), "Miscounted at the last delivery"),
    "damage": ((-3, -2, -1), "Damaged in the warehouse, taken off sale"),
    "cycle_count": ((-3, -1, 2, 4), "Counted during the monthly cycle count"),
}
STOCK_REASONS = tuple(r for r in states.INVENTORY_ADJUSTMENT_REASONS if r in STOCK_CHANGES)


def _stock(world: World, sku_id: str, seller: dict, created) -> None:
    """One inventory record per SKU; about one in eight at or below its safety stock."""
    safety = world.rng.choice((5, 10, 20))
    low = world.chance(0.12)
    on_hand = world.rng.randint(0, safety) if low else world.rng.randint(safety + 5, 400)
    world.add(
        "shopping_mall_inventory_records",
        at=created,
        updated_at=world.ago(days=world.rng.randint(0, 10)),
        shopping_mall_sku_id=sku_id,
        shopping_mall_inventory_location_id=seller["location_id"],
        on_hand=on_hand,
        non_sellable=world.rng.randint(0, 3),
        safety_stock_threshold=safety,
        reorder_point=safety * 2,
    )
    if world.chance(0.15):
        at = world.ago(days=world.rng.randint(1, 60))
        reason = world.pick(STOCK_REASONS)
        deltas, note = STOCK_CHANGES[reason]
        world.add(
            "shopping_mall_inventory_adjustments",
            at=at,
            shopping_mall_sku_id=sku_id,
            shopping_mall_inventory_location_id=seller["location_id"],
            adjusted_by_user_id=world.refs["staff"]["ops@demo.mall"],
            adjustment_reference=f"ADJ-{sku_id[:8]}-{world.rng.getrandbits(24):06x}",
            delta=world.pick(deltas),
            reason_category=reason,
            reason_note=note,
            adjusted_at=at,
        )
