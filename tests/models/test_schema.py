"""The schema built by the migrations is the seed's: every table, column, key and rule."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Numeric, inspect

from mallconsole.extensions import db
from mallconsole.models import MATERIALIZED_VIEWS
from mallconsole.schema import include_object

DOCS = Path(__file__).resolve().parents[2] / "docs" / "schema"
SEED = json.loads((DOCS / "mall-schema.json").read_text())["tables"]
SEED_TEXT = (DOCS / "mall-schema.md").read_text()

ADDITIONS = {
    "shopping_mall_user_balances": {"id", "shopping_mall_user_id", "currency", "balance"},
    "shopping_mall_user_balance_records": {
        "shopping_mall_user_balance_id",
        "type",
        "amount",
        "balance_after",
        "shopping_mall_order_id",
        "shopping_mall_payment_id",
        "shopping_mall_refund_request_id",
        "actor_user_id",
        "created_at",
    },
    "shopping_mall_product_daily_sale_stats": {
        "shopping_mall_product_id",
        "sold_quantity",
        "aggregated_date",
        "aggregated_at",
    },
    "shopping_mall_product_interval_sale_stats": {
        "shopping_mall_product_id",
        "sold_quantity",
        "aggregated_from",
        "aggregated_to",
    },
    "shopping_mall_number_sequences": {"prefix", "day", "last_value"},
    "shopping_mall_sign_in_attempts": {"email", "client_ip", "success", "attempted_at"},
    "shopping_mall_claims": {
        "queue",
        "entity_table",
        "entity_id",
        "claimed_by_user_id",
        "expires_at",
    },
    "shopping_mall_presence": {"entity_table", "entity_id", "shopping_mall_user_id", "seen_at"},
    "shopping_mall_job_runs": {"job_name", "trigger", "status", "queued_at", "counts", "error"},
    "shopping_mall_job_schedules": {"job_name", "paused", "pause_reason", "version"},
    "shopping_mall_outbound_messages": {"recipient", "subject", "body_text", "status", "attempts"},
    "shopping_mall_mfa_challenges": {"shopping_mall_user_id", "token_hash", "expires_at"},
    "shopping_mall_canned_replies": {"title", "body", "category", "usage_count"},
}
ADDED_COLUMNS = {
    "shopping_mall_orders": {"expires_at"},
    "shopping_mall_promotions": {"initial_quantity", "remaining_quantity", "max_discount_amount"},
    "shopping_mall_coupons": {"usable_from", "usable_to"},
    "shopping_mall_audit_events": {"changes"},
    "shopping_mall_users": {"mfa_last_used_step", "time_zone", "locale"},
    "shopping_mall_support_cases": {"version"},
    "shopping_mall_reviews": {"version"},
    "shopping_mall_feature_flags": {"version"},
    "shopping_mall_cancellation_requests": {"shopping_mall_support_case_id"},
    "shopping_mall_return_requests": {"shopping_mall_support_case_id"},
    "shopping_mall_refund_requests": {"shopping_mall_support_case_id", "version"},
    "shopping_mall_carriers": {"version"},
}
NOT_MONEY = {
    "value_double",
    "discount_percentage",
    "hold_percent",
    "rate_percent",
    "rating",
    "average_rating",
    "weight",
    "length",
    "width",
    "height",
    "weight_kg",
    "latitude",
    "longitude",
}


def seed_fk_target(table: str, column: str) -> str:
    """The table a seed column refers to, read from the schema document's prose."""
    section = SEED_TEXT.split(f"### `{table}`", 1)[1].split("\n### ", 1)[0]
    bullet = re.search(rf"^- `{column}`(.*?)(?=^- `|\Z)", section, re.S | re.M).group(1)
    bullet = re.sub(r"\s*\n\s*>?\s*", " ", bullet)  # prose wraps across quoted lines
    match = re.search(r"\[(\w+)\.id\]|\{@link (\w+)\.id\}", bullet)
    return match.group(1) or match.group(2)


@pytest.fixture(scope="module")
def schema(app):
    with app.app_context(), db.engine.connect() as connection:
        insp = inspect(connection)
        names = set(insp.get_table_names())
        if connection.dialect.name == "postgresql":
            names |= set(insp.get_materialized_view_names())
        tables = {}
        for name in names:
            tables[name] = {
                "columns": {c["name"]: c for c in insp.get_columns(name)},
                "fks": insp.get_foreign_keys(name),
                "unique": [set(u["column_names"]) for u in insp.get_unique_constraints(name)]
                + [set(i["column_names"]) for i in insp.get_indexes(name) if i["unique"]],
                "pk": insp.get_pk_constraint(name)["constrained_columns"],
            }
        dialect = connection.dialect.name
    return {"dialect": dialect, "tables": tables}


def test_every_seed_table_and_addition_exists(schema):
    assert len(SEED) == 95
    missing = (set(SEED) | set(ADDITIONS)) - set(schema["tables"])
    assert not missing


@pytest.mark.parametrize("table", sorted(SEED))
def test_seed_columns_exist_with_seed_nullability(schema, table):
    columns = schema["tables"][table]["columns"]
    for name, spec in SEED[table].items():
        assert name in columns, f"{table}.{name} missing"
        if spec["pk"] and not (table in MATERIALIZED_VIEWS and schema["dialect"] == "postgresql"):
            # A materialized view carries no constraints; its unique index is checked below.
            assert schema["tables"][table]["pk"] == [name]
        elif table not in MATERIALIZED_VIEWS or schema["dialect"] == "sqlite":
            assert columns[name]["nullable"] == spec["nullable"], f"{table}.{name} nullability"


@pytest.mark.parametrize("table", sorted(set(SEED) - MATERIALIZED_VIEWS))
def test_seed_foreign_keys_are_real_and_point_where_the_seed_says(schema, table):
    fks = {tuple(fk["constrained_columns"]): fk for fk in schema["tables"][table]["fks"]}
    for name, spec in SEED[table].items():
        if spec["fk"]:
            fk = fks.get((name,))
            assert fk is not None, f"{table}.{name} has no foreign key"
            assert fk["referred_table"] == seed_fk_target(table, name)
            assert fk["referred_columns"] == ["id"]


@pytest.mark.parametrize("table", sorted(SEED))
def test_seed_unique_keys_are_enforced(schema, table):
    uniques = schema["tables"][table]["unique"]
    for name, spec in SEED[table].items():
        if spec["uk"]:
            assert {name} in uniques, f"{table}.{name} is not unique"


def test_additions_have_their_columns(schema):
    for table, columns in {**ADDITIONS, **ADDED_COLUMNS}.items():
        assert columns <= set(schema["tables"][table]["columns"]), table


def test_money_is_exact_numeric_never_float(schema):
    checked = 0
    for table, columns in SEED.items():
        for name, spec in columns.items():
            if spec["type"] != "Float" or name in NOT_MONEY:
                continue
            column_type = schema["tables"][table]["columns"][name]["type"]
            assert isinstance(column_type, Numeric), f"{table}.{name}: {column_type!r}"
            assert (column_type.precision, column_type.scale) == (19, 4), f"{table}.{name}"
            checked += 1
    assert checked == 43  # every money column of the seed


def test_timestamps_are_timezone_aware_on_postgresql(schema):
    if schema["dialect"] != "postgresql":
        pytest.skip("SQLite has no time zone type; the UTCDateTime type is tested instead")
    for table, columns in SEED.items():
        for name, spec in columns.items():
            if spec["type"] == "DateTime":
                assert schema["tables"][table]["columns"][name]["type"].timezone, f"{table}.{name}"


def test_migrations_and_models_agree(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_object}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_rating_rollup_is_a_materialized_view_on_postgresql(app, schema):
    from sqlalchemy import text

    table = schema["tables"]["mv_shopping_mall_product_rating_aggregates"]
    assert set(SEED["mv_shopping_mall_product_rating_aggregates"]) <= set(table["columns"])
    if schema["dialect"] == "postgresql":
        with app.app_context(), db.engine.connect() as connection:
            kind = connection.execute(
                text("SELECT relkind FROM pg_class WHERE relname = :n"),
                {"n": "mv_shopping_mall_product_rating_aggregates"},
            ).scalar_one()
        assert kind == "m"
    assert {"product_id"} in table["unique"]
