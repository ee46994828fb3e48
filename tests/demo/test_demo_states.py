"""The demo world keeps the state machines of docs/contract.md: checked by SQL on a seeded
database. It stores no state and no code that ``mallconsole/core/states.py`` does not know, and its
histories (order status history, case status changes, moderation decisions, carrier events,
audited moves) are legal moves, in order, ending at the record's current state."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import text

from mallconsole.core import states
from mallconsole.core.states import check_move


def rows(demo, sql, **params):
    return demo.execute(text(sql), params).all()


def at(value) -> datetime:
    """An aware UTC datetime from what raw SQL returns (SQLite: an ISO string)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def histories(found) -> dict[str, list[tuple]]:
    """Rows ``(record id, moment, *values)`` grouped per record, oldest first; no two rows of a
    record at the same moment (a history has one order)."""
    grouped = defaultdict(list)
    for record_id, moment, *values in found:
        grouped[record_id].append((at(moment), *values))
    for record_id, entries in grouped.items():
        entries.sort(key=lambda entry: entry[0])
        moments = [entry[0] for entry in entries]
        assert len(moments) == len(set(moments)), f"simultaneous history entries of {record_id}"
    return grouped


def walk(machine, path: list[str], record_id: str) -> None:
    """Each step of ``path`` is a legal move from the one before (history given for release)."""
    for n in range(1, len(path)):
        try:
            check_move(machine, path[n - 1], path[n], history=path[:n])
        except Exception as refused:  # the record in the message, not only the move
            raise AssertionError(f"{machine.name} {record_id}: {path}: {refused}") from refused


# The demo world writes no job runs and no outbound messages: the console makes them as it runs.
NOT_IN_THE_DEMO = {states.JOB_RUN_MACHINE, states.OUTBOUND_MESSAGE_MACHINE}


def test_every_stored_state_is_a_state_of_its_machine(demo):
    # A policy version's state is derived, not stored: it has no table entry here.
    for machine in states.MACHINE_OF_TABLE.values():
        found = {
            r[0]
            for r in rows(
                demo,
                f"SELECT DISTINCT {machine.column} FROM {machine.table} "
                f"WHERE {machine.column} IS NOT NULL",
            )
        }
        assert found or machine in NOT_IN_THE_DEMO, machine.name
        assert found <= set(machine.states), (machine.name, found - set(machine.states))


def test_every_stored_code_is_in_its_vocabulary(demo):
    for table, column, values in states.VOCABULARY_COLUMNS:
        found = {
            r[0]
            for r in rows(demo, f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL")
        }
        assert found, (table, column)
        assert found <= set(values), (table, column, found - set(values))


def test_moderation_uses_the_policy_reasons(demo):
    found = dict(
        rows(
            demo,
            "SELECT reason_code, COUNT(*) FROM shopping_mall_review_moderations "
            "GROUP BY reason_code",
        )
    )
    assert set(found) <= set(states.MODERATION_REASONS)
    assert states.REVIEW_APPROVE_REASON in found
    assert len(set(found) & set(states.MODERATION_POLICY_REASONS)) >= 3
    approvals = rows(
        demo,
        "SELECT DISTINCT reason_code FROM shopping_mall_review_moderations "
        "WHERE decision = 'approve'",
    )
    assert approvals == [(states.REVIEW_APPROVE_REASON,)]


def test_order_status_histories_are_legal_and_end_at_the_order_status(demo):
    current = dict(rows(demo, "SELECT id, status FROM shopping_mall_orders"))
    found = histories(
        rows(
            demo,
            "SELECT shopping_mall_order_id, recorded_at, status "
            "FROM shopping_mall_order_status_history",
        )
    )
    assert set(found) == set(current)
    for order_id, entries in found.items():
        path = [status for _, status in entries]
        assert path[0] == "pending_payment", (order_id, path)
        walk(states.ORDER_MACHINE, path, order_id)
        assert path[-1] == current[order_id], (order_id, path)


def test_case_status_changes_are_legal_and_end_at_the_case_status(demo):
    current = dict(rows(demo, "SELECT id, status FROM shopping_mall_support_cases"))
    found = histories(
        rows(
            demo,
            "SELECT shopping_mall_support_case_id, occurred_at, body "
            "FROM shopping_mall_support_case_events WHERE event_type = :t",
            t=states.CASE_EVENT_STATUS_CHANGED,
        )
    )
    assert found
    for case_id, status in current.items():
        path = ["open"]  # a case is opened open
        for _, body in found.get(case_id, []):
            change = states.parse_case_status_change(body)
            assert change is not None, (case_id, body)
            assert change[0] == path[-1], (case_id, path, change)
            path.append(change[1])
        walk(states.SUPPORT_CASE_MACHINE, path, case_id)
        assert path[-1] == status, (case_id, path)
    assert max(len(entries) for entries in found.values()) >= 3


def test_review_moderations_are_legal_and_one_is_effective(demo):
    current = dict(rows(demo, "SELECT id, state FROM shopping_mall_reviews"))
    found = histories(
        rows(
            demo,
            "SELECT shopping_mall_review_id, created_at, decision, effective "
            "FROM shopping_mall_review_moderations",
        )
    )
    for review_id, entries in found.items():
        path = ["pending"] + [states.MODERATION_DECISION_STATE[d] for _, d, _ in entries]
        walk(states.REVIEW_MACHINE, path, review_id)
        assert [bool(e) for _, _, e in entries] == [False] * (len(entries) - 1) + [True]
        assert path[-1] == current[review_id], (review_id, path)
    undecided = {r for r, s in current.items() if s in ("pending", "removed_user")}
    assert undecided.isdisjoint(found)
    assert set(current) - undecided == set(found)


def test_report_decisions_are_set_once_when_resolved(demo):
    for resolved, decision, resolved_at in rows(
        demo, "SELECT resolved, decision, resolved_at FROM shopping_mall_review_reports"
    ):
        assert bool(resolved) == (decision is not None) == (resolved_at is not None)


def test_carrier_events_follow_the_shipment_machine(demo):
    current = dict(rows(demo, "SELECT id, status FROM shopping_mall_shipments"))
    moving = set(states.SHIPMENT[1:])
    found = histories(
        rows(
            demo,
            "SELECT shopping_mall_shipment_id, event_at, canonical_event "
            "FROM shopping_mall_shipment_events",
        )
    )
    for shipment_id, status in current.items():
        path = ["ready_to_ship"] + [e for _, e in found.get(shipment_id, []) if e in moving]
        walk(states.SHIPMENT_MACHINE, path, shipment_id)
        assert path[-1] == status, (shipment_id, path)


def test_audited_moves_are_legal_and_follow_each_other(demo):
    """Audit events that change a state column: each a legal move, each starting where the
    record's previous audited move ended."""
    tables = tuple(states.MACHINE_OF_TABLE)
    placeholders = ", ".join(f":t{n}" for n in range(len(tables)))
    found = rows(
        demo,
        "SELECT entity_table, entity_id, created_at, changes FROM shopping_mall_audit_events "
        f"WHERE entity_table IN ({placeholders})",
        **{f"t{n}": table for n, table in enumerate(tables)},
    )
    moves = defaultdict(list)
    for table, entity_id, created, changes in found:
        changes = json.loads(changes) if isinstance(changes, str) else changes
        column = states.MACHINE_OF_TABLE[table].column
        if column in changes.get("after", {}):
            before = changes.get("before", {}).get(column)
            moves[(table, entity_id)].append((created, before, changes["after"][column]))
    checked = 0
    for (table, entity_id), entries in histories(
        (
            (key, created, before, after)
            for key, audited in moves.items()
            for created, before, after in audited
        )
    ).items():
        machine = states.MACHINE_OF_TABLE[table]
        path = [entries[0][1]] if entries[0][1] is not None else []
        for _, before, after in entries:
            if path:
                assert before == path[-1], (table, entity_id, path, before, after)
            path.append(after)
        walk(machine, path, entity_id)
        checked += len(entries)
    assert checked > 100
    audited = {table for table, _ in moves}
    assert {
        "shopping_mall_refund_requests",
        "shopping_mall_data_exports",
        "shopping_mall_admin_actions",
        "shopping_mall_cancellation_requests",
        "shopping_mall_reviews",
        "shopping_mall_orders",
    } <= audited
