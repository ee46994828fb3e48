"""``flask seed-demo``: exit codes and messages (docs/contract.md: 0 done, 1 failed, 2 refused)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from mallconsole import create_app
from mallconsole.extensions import db


def _count(app, table: str) -> int:
    with app.app_context(), db.engine.connect() as connection:
        return connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def test_seeding_prints_the_staff_accounts_and_the_url(seeded):
    output = seeded[3]
    assert "http://127.0.0.1:5000/login" in output
    for email in ("support@demo.mall", "finance2@demo.mall", "mfa-admin@demo.mall"):
        assert email in output


def test_the_url_printed_is_the_one_make_run_serves(monkeypatch):
    from mallconsole.cli import console_url

    monkeypatch.delenv("HOST", raising=False)
    monkeypatch.delenv("PORT", raising=False)
    assert console_url() == "http://127.0.0.1:5000/login"
    monkeypatch.setenv("PORT", "8123")
    monkeypatch.setenv("HOST", "0.0.0.0")
    assert console_url() == "http://0.0.0.0:8123/login"


@pytest.mark.postgres_only
def test_postgresql_has_planner_statistics_right_after_seeding(seeded, demo):
    analyzed = demo.execute(
        text(
            "SELECT relname FROM pg_stat_user_tables WHERE relname IN "
            "('shopping_mall_orders', 'shopping_mall_support_cases', 'shopping_mall_users') "
            "AND coalesce(last_analyze, last_autoanalyze) IS NOT NULL"
        )
    ).scalars()
    assert set(analyzed) == {
        "shopping_mall_orders",
        "shopping_mall_support_cases",
        "shopping_mall_users",
    }


def test_refuses_a_database_that_has_data(seeded):
    app = seeded[0]
    before = _count(app, "shopping_mall_orders")
    result = app.test_cli_runner().invoke(args=["seed-demo", "--scale", "0.01"])
    assert result.exit_code == 2
    assert "already has data" in result.output and "--reset" in result.output
    assert _count(app, "shopping_mall_orders") == before


def test_if_empty_leaves_existing_data_and_succeeds(seeded):
    app = seeded[0]
    before = _count(app, "shopping_mall_orders")
    result = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0
    assert "left as it is" in result.output
    assert _count(app, "shopping_mall_orders") == before


@pytest.mark.parametrize(
    "args", [["--scale", "0"], ["--scale", "-1"], ["--scale", "1000"], ["--reset", "--if-empty"]]
)
def test_refuses_bad_arguments(seeded, args):
    result = seeded[0].test_cli_runner().invoke(args=["seed-demo", *args])
    assert result.exit_code == 2
    assert "Refused" in result.output


def test_refuses_the_production_configuration(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "production-like-secret")
    monkeypatch.setenv("TRUSTED_HOSTS", "console.example.com")
    app = create_app(
        {
            "CONFIG_NAME": "production",
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "prod.db"),
            "UPLOAD_DIR": str(tmp_path / "uploads"),
        }
    )
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 2
    assert "production" in result.output
    assert not (tmp_path / "prod.db").exists() or (tmp_path / "prod.db").stat().st_size == 0


def test_fails_without_a_schema(tmp_path):
    app = create_app(
        {
            "CONFIG_NAME": "testing",
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "empty.db"),
            "UPLOAD_DIR": str(tmp_path / "uploads"),
        }
    )
    result = app.test_cli_runner().invoke(args=["seed-demo", "--scale", "0.01"])
    assert result.exit_code == 1
    assert "db upgrade" in result.output


def test_reset_rebuilds_the_schema_and_seeds_again(fresh_database, make_demo_app, tmp_path):
    app = make_demo_app(fresh_database(), tmp_path / "uploads")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo", "--scale", "0.01", "--seed", "3"])
    assert first.exit_code == 0, first.output
    orders = _count(app, "shopping_mall_orders")
    audits = _count(app, "shopping_mall_audit_events")
    again = runner.invoke(args=["seed-demo", "--reset", "--scale", "0.01", "--seed", "3"])
    assert again.exit_code == 0, again.output
    # The audit table is append-only: --reset rebuilt the schema instead of deleting rows.
    assert _count(app, "shopping_mall_orders") == orders
    assert _count(app, "shopping_mall_audit_events") == audits
    with app.app_context():
        db.engine.dispose()


def test_a_failure_exits_1_and_commits_nothing(
    fresh_database, make_demo_app, tmp_path, monkeypatch
):
    import mallconsole.demo

    def broken(connection, **_):
        connection.execute(
            text(
                "INSERT INTO shopping_mall_locales (id, code, name, rtl, active, "
                "created_at, updated_at) VALUES ('x', 'xx', 'X', false, true, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        raise RuntimeError("disk full")

    monkeypatch.setattr(mallconsole.demo, "build_world", broken)
    app = make_demo_app(fresh_database(), tmp_path / "uploads")
    result = app.test_cli_runner().invoke(args=["seed-demo", "--scale", "0.01"])
    assert result.exit_code == 1
    assert "Failed" in result.output and "disk full" in result.output
    assert _count(app, "shopping_mall_locales") == 0
    with app.app_context():
        db.engine.dispose()
