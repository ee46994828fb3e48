"""The demo world's maker-checker history: requests for approval and the decisions on them."""

from __future__ import annotations

from mallconsole.demo.audit import audit
from mallconsole.demo.world import World
from mallconsole.services import approvals


def decision_given(world: World, action: dict, requester: str, approver: str, at) -> None:
    """The approver's decision on a request (approve, or reject with its reason)."""
    world.add(
        "shopping_mall_maker_checker_approvals",
        at=at,
        shopping_mall_admin_action_id=action["id"],
        requested_by_user_id=requester,
        approver_user_id=approver,
        revision=1,
        decision="reject" if action["status"] == "rejected" else "approve",
        reason=action.get("rejection_reason"),
        decided_at=at,
    )


def requested_audit(world: World, action: dict, requester: str, at) -> None:
    """The audit event of a request for approval (its change as before/after)."""
    payload = action["payload"] or {}
    audit(
        world,
        actor=requester,
        table="shopping_mall_admin_actions",
        entity_id=action["id"],
        action="admin_action.requested",
        at=at,
        after={"status": "pending", "revision": 1, "change": approvals.describe_change(payload)},
        summary=f"Asked for approval: {approvals.kind_label(action['action_name'])}",
        reason=action["justification"],
        admin_action_id=action["id"],
    )
