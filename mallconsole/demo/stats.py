"""Daily and weekly sale statistics, from the items of paid orders (captured, partially
refunded or refunded payments), by the day the order was placed."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta

from mallconsole.demo.world import World


def build_sale_stats(world: World) -> None:
    daily = world.refs["daily_sales"]
    weekly: dict[tuple[str, datetime], int] = defaultdict(int)
    aggregated_at = world.now.replace(minute=0, second=0, microsecond=0)
    for (product_id, day), quantity in sorted(daily.items()):
        world.add(
            "shopping_mall_product_daily_sale_stats",
            at=aggregated_at,
            shopping_mall_product_id=product_id,
            sold_quantity=quantity,
            aggregated_date=day,
            aggregated_at=aggregated_at,
        )
        monday = datetime.combine(day - timedelta(days=day.weekday()), time(0), tzinfo=UTC)
        weekly[(product_id, monday)] += quantity
    for (product_id, start), quantity in sorted(weekly.items()):
        world.add(
            "shopping_mall_product_interval_sale_stats",
            at=aggregated_at,
            shopping_mall_product_id=product_id,
            sold_quantity=quantity,
            aggregated_from=start,
            aggregated_to=start + timedelta(days=7),
        )
