"""Policy versions approved at the same moment on PostgreSQL, with real parallel connections:
the lock on the policy row keeps approved windows from overlapping whatever the order."""

from __future__ import annotations

import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mallconsole.core.roles import Role
from mallconsole.extensions import db
from mallconsole.models import Policy, PolicyVersion, utcnow
from mallconsole.services import approvals
from mallconsole.services.admin import policies
from tests.factories.actors import make_staff
from tests.races.conftest import in_threads

pytestmark = [pytest.mark.postgres_only, pytest.mark.xdist_group("races")]
ROUNDS = 5


def day(offset: int):
    return policies.day_start(utcnow().date() + timedelta(days=offset))


@pytest.fixture
def staff(race_app):
    """An author and two checkers (committed), as plain ids."""
    with race_app.app_context(), Session(db.engine) as session:
        suffix = str(time.monotonic_ns())
        people = [
            make_staff(session, f"{name}-{suffix}@policy-races.test", (Role.SYSTEM_ADMIN,))
            for name in ("author", "checker1", "checker2")
        ]
        session.commit()
        return [SimpleNamespace(id=p.id) for p in people]


def make_policy(app, author, windows, n):
    """A policy in force since 10 days ago (open-ended) and one submitted draft per window;
    the ids of their approval requests."""
    with app.app_context(), Session(db.engine) as session:
        policy = Policy(code=f"race-{time.monotonic_ns()}-{n}", title=f"Race policy {n}",
                        category="returns", status="active")  # fmt: skip
        session.add(policy)
        session.flush()
        session.add(
            PolicyVersion(
                shopping_mall_policy_id=policy.id,
                version="1.0",
                effective_from=day(-10),
                content="Old terms",
                approved=True,
            )
        )
        session.flush()
        requests = []
        for label, (start, end) in windows.items():
            data = policies.check_draft(
                label=label,
                effective_from=(utcnow().date() + timedelta(days=start)).isoformat(),
                effective_to=(utcnow().date() + timedelta(days=end)).isoformat() if end else "",
                change_notes=None,
                content=f"Terms {label}",
            )
            version = policies.create_draft(session, policy, data, actor=author)
            requests.append(policies.submit(session, version.id, "Go", actor=author).action.id)
        session.commit()
        return policy.id, requests


def approve(app, action_id, checker):
    with app.app_context(), Session(db.engine) as session:
        outcome = approvals.decide(
            session,
            action_id,
            "approve",
            actor=checker,
            revision=approvals.get_action(session, action_id).revision,
        )
        session.commit()
        return outcome


def approved_windows(app, policy_id):
    with app.app_context(), Session(db.engine) as session:
        return [
            (v.version, v.effective_from, v.effective_to)
            for v in session.scalars(
                select(PolicyVersion)
                .where(PolicyVersion.shopping_mall_policy_id == policy_id,
                       PolicyVersion.approved.is_(True))
                .order_by(PolicyVersion.effective_from)
            )
        ]  # fmt: skip


def test_two_overlapping_drafts_approved_at_once_only_one_comes_into_force(race_app, staff):
    author, *checkers = staff
    for n in range(ROUNDS):
        policy_id, requests = make_policy(race_app, author, {"2.0": (10, 30), "2.1": (20, 40)}, n)
        results = in_threads(2, lambda i, r=requests: approve(race_app, r[i], checkers[i]))
        assert not any(isinstance(r, Exception) for r in results), results
        assert sorted(r.executed for r in results) == [False, True]
        refused = next(r for r in results if not r.executed)
        assert "overlaps approved version" in refused.message
        windows = approved_windows(race_app, policy_id)
        assert len(windows) == 2 and windows[0][0] == "1.0"
        assert windows[0][2] == windows[1][1]  # the old window closed where the new one starts


def test_two_open_ended_drafts_approved_at_once_keep_windows_apart(race_app, staff):
    author, *checkers = staff
    for n in range(ROUNDS):
        policy_id, requests = make_policy(race_app, author, {"2.0": (10, None),
                                                             "3.0": (20, None)}, n)  # fmt: skip
        results = in_threads(2, lambda i, r=requests: approve(race_app, r[i], checkers[i]))
        assert not any(isinstance(r, Exception) for r in results), results
        assert any(r.executed for r in results)
        windows = approved_windows(race_app, policy_id)
        # Whichever came first, the approved windows follow one another: one open-ended.
        for (_, _, end), (_, next_start, _) in zip(windows, windows[1:], strict=False):
            assert end is not None and end <= next_start
        assert [end for _, _, end in windows].count(None) == 1
