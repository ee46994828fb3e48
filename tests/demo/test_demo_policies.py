"""The seeded policies keep the rules of their screens: approved windows never overlap, one
version is in force today, drafts start in the future, and the drafts waiting for approval
have an open request their executor can carry out."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, text

from mallconsole.extensions import db
from mallconsole.models import AdminAction, AuditEvent, Policy, PolicyVersion, User
from mallconsole.services import approvals
from mallconsole.services.admin import policies


def moment(value) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def test_approved_windows_follow_one_another(demo):
    rows = demo.execute(
        text(
            "SELECT shopping_mall_policy_id, version, effective_from, effective_to, approved, "
            "content, author_user_id FROM shopping_mall_policy_versions "
            "ORDER BY shopping_mall_policy_id, effective_from"
        )
    ).all()
    assert len(rows) >= 8
    now = datetime.now(UTC)
    by_policy: dict[str, list] = {}
    for policy_id, label, start, end, approved, content, author in rows:
        assert content and len(content.splitlines()) >= 3, label
        assert author is not None
        if approved:
            by_policy.setdefault(policy_id, []).append((moment(start), end and moment(end)))
        else:
            assert moment(start) > now, "a draft starts in the future"
    assert len(by_policy) == 3
    for windows in by_policy.values():
        for (_, end), (next_start, _) in zip(windows, windows[1:], strict=False):
            assert end is not None and end <= next_start, "approved windows never overlap"
        assert sum(1 for _, end in windows if end is None) == 1
        assert windows[0][0] < now


def test_waiting_drafts_can_be_approved_by_the_other_admin(seeded):
    app, _, _, _ = seeded
    with app.app_context():
        session = db.session
        waiting = session.scalars(
            select(AdminAction).where(
                AdminAction.action_name == policies.ACTION, AdminAction.status == "pending"
            )
        ).all()
        assert len(waiting) == 2
        for action in waiting:
            version = session.get(PolicyVersion, action.target_entity_id)
            assert version is not None and not version.approved
            assert action.payload["version_id"] == version.id
            assert action.payload["row_version"] == version.row_version
            assert action.requested_by_user_id == version.author_user_id
            assert approvals.changes_of(action.payload)
            # The executor's checks pass on the seeded data: the window supersedes cleanly.
            predecessor = policies.superseded_by(session, version)
            assert predecessor is not None and predecessor.effective_to is None
        returns = session.scalars(select(Policy).where(Policy.code == "returns")).one()
        in_force = policies.in_force(session, returns.id, datetime.now(UTC))
        assert in_force is not None and in_force.version == "2.0"
        admin2 = session.scalars(select(User).where(User.email == "admin2@demo.mall")).one()
        action = next(a for a in waiting if a.target_entity_id != in_force.id
                      and a.payload["policy_id"] == returns.id)  # fmt: skip
        decided = approvals.decide(
            session, action.id, "approve", actor=admin2, revision=action.revision
        )
        assert decided.executed, decided.message
        session.rollback()
        session.remove()


def test_each_versions_history_ends_with_its_window(seeded):
    """Replaying a version's audit events gives the window it has: a superseded version was
    drafted open-ended, and the event that closed it starts from that."""
    app = seeded[0]
    with app.app_context():
        for version in db.session.scalars(select(PolicyVersion)).all():
            events = db.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.entity_id == version.id)
                .order_by(AuditEvent.created_at)
            ).all()
            assert events, version.version
            window = None
            for event in events:
                changes = event.changes or {}
                if "effective_to" in (changes.get("before") or {}):
                    assert changes["before"]["effective_to"] == window, (version.version, event)
                if "effective_to" in (changes.get("after") or {}):
                    window = changes["after"]["effective_to"]
            stored = version.effective_to.date().isoformat() if version.effective_to else None
            assert window == stored, version.version
        db.session.remove()
