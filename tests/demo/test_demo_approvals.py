"""The seeded approval requests fit the approvals inbox and the maker-checker rules."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import text

from mallconsole.core import states
from mallconsole.core.roles import Permission
from mallconsole.extensions import db
from mallconsole.services import approvals
from mallconsole.services.kit.pagination import Ordering


def moment(value) -> datetime:
    """A timestamp as read by plain SQL (SQLite gives text), timezone-aware."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def rows(connection, sql, **params):
    return connection.execute(text(sql), params).all()


def test_every_refund_awaiting_a_second_approval_has_its_pending_request(demo):
    waiting = rows(
        demo,
        "SELECT r.id, r.approved_by_user_id, a.requested_by_user_id, a.status, "
        "a.approver_permission, a.payload FROM shopping_mall_refund_requests r "
        "LEFT JOIN shopping_mall_admin_actions a ON a.target_entity_id = r.id "
        "AND a.action_name = 'approve_refund' WHERE r.status = 'pending_second_approval'",
    )
    assert waiting
    for _, first_approver, requester, status, permission, payload in waiting:
        assert status == "pending" and permission == "approvals.finance"
        assert requester == first_approver  # the second approval must come from someone else
        assert payload is not None
    assert not rows(
        demo,
        "SELECT a.id FROM shopping_mall_admin_actions a JOIN shopping_mall_refund_requests r "
        "ON r.id = a.target_entity_id WHERE a.action_name = 'approve_refund' "
        "AND a.status = 'pending' AND r.status <> 'pending_second_approval'",
    )


def test_seeded_requests_keep_the_rules(demo):
    now = datetime.now(UTC)
    actions = rows(
        demo,
        "SELECT id, action_name, status, approver_permission, expires_at, payload, "
        "cancel_reason, requested_by_user_id FROM shopping_mall_admin_actions",
    )
    assert {a[2] for a in actions} == set(states.ADMIN_ACTION)
    for _, name, status, permission, expires, payload, cancel, _ in actions:
        assert name in states.ADMIN_ACTION_NAMES
        expected = (
            "approvals.finance"
            if name in ("approve_refund", "approve_payout", "wallet_adjustment")
            else ("approvals.admin")
        )
        assert permission == expected, name
        assert payload is not None
        assert approvals.changes_of(payload if isinstance(payload, dict) else json.loads(payload))
        if status == "pending":
            assert moment(expires) > now, "a pending request has not expired"
        assert (cancel is not None) == (status == "canceled")
    own = rows(
        demo,
        "SELECT p.id FROM shopping_mall_maker_checker_approvals p "
        "JOIN shopping_mall_admin_actions a ON a.id = p.shopping_mall_admin_action_id "
        "WHERE p.approver_user_id = a.requested_by_user_id",
    )
    assert own == []


def test_work_waits_for_each_approver(seeded):
    app, engine, _, _ = seeded
    with app.app_context():
        session = db.session
        ids = dict(
            session.execute(
                text("SELECT email, id FROM shopping_mall_users WHERE email LIKE '%@demo.mall'")
            ).all()
        )
        ordering = Ordering(approvals.INBOX_SORTS[0], False, approvals.ACTION_ID)
        for email, permission in (
            ("admin@demo.mall", Permission.APPROVALS_ADMIN),
            ("admin2@demo.mall", Permission.APPROVALS_ADMIN),
            ("finance@demo.mall", Permission.APPROVALS_FINANCE),
            ("finance2@demo.mall", Permission.APPROVALS_FINANCE),
        ):
            page = approvals.list_page(
                session, "waiting", ids[email], permission, {}, ordering, cursor=None, limit=50
            )
            assert page.rows, f"nothing waits for {email}"
        # At least one waiting request can really be approved (its executor exists).
        admin_page = approvals.list_page(
            session, "waiting", ids["admin2@demo.mall"], Permission.APPROVALS_ADMIN, {},
            ordering, cursor=None, limit=50,
        )  # fmt: skip
        assert any(row.unavailable is None for row in admin_page.rows)
        session.remove()
