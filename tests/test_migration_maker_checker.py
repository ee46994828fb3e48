"""Revision 0006 (maker-checker) over requests made before it, and back down."""

from datetime import UTC, datetime, timedelta

import flask_migrate
from sqlalchemy import text

from mallconsole.extensions import db
from tests.databases import make_test_app, new_database

USER_COLUMNS = (
    "id, email, password_hash, status, email_verified, mfa_enabled, created_at, updated_at"
)


def test_0006_keeps_one_open_request_per_target_and_fills_what_approvals_need(tmp_path):
    url, drop = new_database(tmp_path, "mig6")
    app = make_test_app(url, tmp_path)
    try:
        with app.app_context():
            flask_migrate.upgrade(revision="0005")
            now = datetime.now(UTC).replace(tzinfo=None)
            with db.engine.begin() as connection:
                for n in (1, 2):
                    connection.execute(
                        text(
                            f"INSERT INTO shopping_mall_users ({USER_COLUMNS}) "
                            "VALUES (:id, :email, '-', 'active', true, false, :now, :now)"
                        ),
                        {"id": f"user-{n}", "email": f"u{n}@mig.test", "now": now},
                    )
                for n, (name, status) in enumerate(
                    [
                        ("suspend_seller", "pending"),
                        ("suspend_seller", "pending"),
                        ("wallet_adjustment", "approved"),
                    ]  # fmt: skip
                ):
                    connection.execute(
                        text(
                            "INSERT INTO shopping_mall_admin_actions (id, requested_by_user_id, "
                            "idempotency_key, action_name, target_entity_table, "
                            "target_entity_id, status, created_at, updated_at, version) VALUES "
                            "(:id, 'user-1', :key, :name, 'shopping_mall_sellers', 'seller-1', "
                            ":status, :at, :at, 1)"
                        ),
                        {
                            "id": f"action-{n}",
                            "key": f"k{n}",
                            "name": name,
                            "status": status,
                            "at": now + timedelta(minutes=n),
                        },  # fmt: skip
                    )
                connection.execute(
                    text(
                        "INSERT INTO shopping_mall_maker_checker_approvals (id, "
                        "shopping_mall_admin_action_id, approver_user_id, decision, created_at, "
                        "updated_at) VALUES ('approval-1', 'action-2', 'user-2', 'approve', "
                        ":now, :now)"
                    ),
                    {"now": now},
                )
            flask_migrate.upgrade(revision="0006")
            with db.engine.connect() as connection:
                actions = connection.execute(
                    text(
                        "SELECT id, status, cancel_reason, approver_permission, revision, "
                        "expires_at IS NOT NULL FROM shopping_mall_admin_actions ORDER BY id"
                    )
                ).all()
                approval = connection.execute(
                    text(
                        "SELECT requested_by_user_id, revision "
                        "FROM shopping_mall_maker_checker_approvals"
                    )
                ).one()
            assert [tuple(a) for a in actions] == [
                ("action-0", "pending", None, "approvals.admin", 1, True),
                ("action-1", "canceled", "withdrawn", "approvals.admin", 1, False),
                ("action-2", "approved", None, "approvals.finance", 1, False),
            ]
            assert tuple(approval) == ("user-1", 1)
            flask_migrate.downgrade(revision="0005")
            flask_migrate.upgrade()
            db.engine.dispose()
    finally:
        drop()
