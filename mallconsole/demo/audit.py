"""Audit events for what the demo history implies (decisions staff took)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from itertools import pairwise

from mallconsole.demo.world import World


def audit(
    world: World,
    *,
    actor: str | None,
    table: str,
    entity_id: str | None,
    action: str,
    at: datetime,
    before: dict | None = None,
    after: dict | None = None,
    reason: str | None = None,
    summary: str | None = None,
    admin_action_id: str | None = None,
) -> None:
    """One ``shopping_mall_audit_events`` row with before/after values."""
    world.add(
        "shopping_mall_audit_events",
        at=at,
        actor_user_id=actor,
        shopping_mall_admin_action_id=admin_action_id,
        entity_table=table,
        entity_id=entity_id,
        action=action,
        summary=summary or describe(table, before, after, action),
        reason=reason,
        correlation_id=f"demo-{world.uid()[:18]}",
        source_ip="10.0.0.12",
        user_agent="Mall Console",
        changes={"before": before or {}, "after": after or {}},
    )


def describe(table: str, before: dict | None, after: dict | None, action: str) -> str:
    """A sentence for a demo event: ``Review: Pending → Approved``, else the action in words."""
    from mallconsole.core.states import MACHINE_OF_TABLE, label
    from mallconsole.services.kit.audit import action_label, entity_label

    machine = MACHINE_OF_TABLE.get(table)
    if machine is not None and before and after and machine.column in after:
        old, new = before.get(machine.column), after[machine.column]
        if old is not None and new is not None:
            return f"{entity_label(table)}: {label(machine, old)} → {label(machine, new)}"
    return f"{entity_label(table)}: {action_label(action).lower()}"


def audit_walk(
    world: World,
    *,
    table: str,
    entity_id: str,
    column: str,
    path: Sequence[str],
    actors: Sequence[str | None],
    action: str,
    start: datetime,
    end: datetime,
    after: dict | None = None,
    reason: str | None = None,
    admin_action_id: str | None = None,
) -> list[datetime]:
    """One audit event per move of ``path`` (a walk of the record's state machine, each move
    by the matching actor), at distinct instants after ``start``, the last at ``end``.
    Returns the instants."""
    moves = list(pairwise(path))
    times = world.moments(start, end, len(moves))
    if times:
        times[-1] = end
    for (before, state), at, actor in zip(moves, times, actors, strict=True):
        audit(
            world,
            actor=actor,
            table=table,
            entity_id=entity_id,
            action=f"{action}.{state}",
            at=at,
            before={column: before},
            after={column: state, **(after or {})},
            reason=reason,
            admin_action_id=admin_action_id,
        )
    return times
