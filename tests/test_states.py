"""The state machines of ``mallconsole/core/states.py`` equal docs/contract.md's table, both
ways, and ``check_move`` refuses what the table does not list."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mallconsole.core import states
from mallconsole.core.errors import InvalidTransition, ValidationError
from mallconsole.core.states import (
    ORDER_MACHINE,
    REFUND_REQUEST_MACHINE,
    REVIEW_MACHINE,
    REVIEW_REPORT_DECISION_MACHINE,
    SUPPORT_CASE_MACHINE,
    allowed_targets,
    can_move,
    check_move,
    label,
)
from mallconsole.models import Base

CONTRACT = Path(__file__).resolve().parent.parent / "docs" / "contract.md"

# Prose of the moves column that names no move.
NOTES = {
    "Approve uses reason code `meets_policy`",
    "A failed or canceled payout gives its ledger entries back",
    "Expired when past `expires_at`",
    "plus locked while `lockout_until` is in the future",
    "Only a verified primary account is paid",
    "Derived from `approved`, its window and its approval request, never stored",
    "Superseding closes an approved window where the next version starts",
    "A message left sending is never sent again automatically",
}
# The few phrases that name states in words, spelled out here (and nowhere else).
GROUPS = {
    # Nothing has left a warehouse; an order on hold or under review may be canceled when the
    # state it interrupted may (check_move reads that from the status history).
    "any state before shipped": {
        "pending_payment",
        "pending_confirmation",
        "confirmed",
        "on_hold",
        "under_review",
    },
    "any state before completed": {
        "pending_payment",
        "pending_confirmation",
        "confirmed",
        "partially_shipped",
        "shipped",
        "partially_delivered",
        "delivered",
    },
}
# "… → on_hold, under_review, which return to the state they interrupted on release": each
# target may go back to each source (check_move allows only the one the history shows).
RELEASE = ", which return to the state they interrupted on release"
# Conditions checked by services, not moves.
CONDITIONS = (" when everything captured is refunded",)
SET_ONCE = "set once when the report is resolved"


def contract_rows() -> list[tuple[str, tuple[str, ...], str]]:
    """(entity, states, moves) of each row of the "State machines" table."""
    text = CONTRACT.read_text(encoding="utf-8")
    section = text.split("\n## State machines", 1)[1].split("\n## ", 1)[0]
    found = []
    for line in section.splitlines():
        if not line.startswith("|") or line.startswith("|---"):
            continue
        entity, states_cell, moves = (cell.strip() for cell in line.strip("|").split("|"))
        if entity == "entity":
            continue
        found.append((entity, tuple(s.strip() for s in states_cell.split(",")), moves))
    return found


def parse_moves(text: str, known: tuple[str, ...]) -> set[tuple[str | None, str]]:
    """The moves a cell of the moves column lists (fails on any phrase it does not know)."""
    moves: set[tuple[str | None, str]] = set()
    text = re.sub(r"\s*\([^()]*\)", "", text)  # parenthetical notes
    last_group: set[str] = set()

    def names(part: str) -> set[str]:
        found = {n.strip() for n in re.split(r",| or ", part) if n.strip()}
        assert found <= set(known), f"unknown states {found - set(known)} in {part!r}"
        return found

    for sentence in re.split(r"\.\s+", text.strip().rstrip(".")):
        for clause in sentence.split("; "):
            clause = clause.strip()
            if clause in NOTES:
                continue
            if clause == SET_ONCE:
                moves |= {(None, state) for state in known}
                continue
            release = clause.endswith(RELEASE)
            clause = clause.removesuffix(RELEASE)
            for condition in CONDITIONS:
                clause = clause.removesuffix(condition)
            if clause.endswith(" among themselves"):
                group = set(clause.removesuffix(" among themselves").split("/"))
                assert group <= set(known), clause
                moves |= {(a, b) for a in group for b in group if a != b}
                last_group = group
                continue
            if "↔" in clause:
                left, right = (names(part) for part in clause.split("↔"))
                moves |= {pair for a in left for b in right for pair in ((a, b), (b, a))}
                continue
            assert "→" in clause, f"no move in {clause!r}"
            left, right = (part.strip() for part in clause.split("→"))
            targets = names(right)
            if left == "any":
                sources, distinct = set(known), True
            elif left == "any of them":
                sources, distinct = last_group, True
            elif left in GROUPS:
                sources, distinct = GROUPS[left], True
            else:
                sources, distinct = names(left), False
            moves |= {(a, b) for a in sources for b in targets if not (distinct and a == b)}
            if release:
                moves |= {(b, a) for a in sources for b in targets}
            last_group = sources
    return moves


def contract_machines() -> dict[str, tuple[tuple[str, ...], set]]:
    machines = {}
    for entity, known, moves in contract_rows():
        parsed = parse_moves(moves, known)
        for name in entity.split(", "):
            machines[name] = (known, parsed)
    return machines


def test_the_contract_table_is_found_and_parsed():
    parsed = contract_machines()
    assert len(parsed) == 25
    assert ("resolved", "closed") in parsed["support case"][1]
    assert ("on_hold", "confirmed") in parsed["order"][1]


def test_every_machine_of_the_contract_is_data_and_nothing_more():
    parsed = contract_machines()
    assert set(parsed) == {m.name for m in states.MACHINES}


@pytest.mark.parametrize("machine", states.MACHINES, ids=lambda m: m.name)
def test_states_and_moves_equal_the_contract(machine):
    known, moves = contract_machines()[machine.name]
    assert machine.states == known
    assert set(machine.moves) - moves == set(), "moves in core/states.py the contract does not list"
    assert moves - set(machine.moves) == set(), "moves of the contract missing in core/states.py"


def test_the_parser_notices_an_edit_of_the_contract():
    known = states.SUPPORT_CASE
    original = next(moves for entity, _, moves in contract_rows() if entity == "support case")
    assert parse_moves(original, known) == set(SUPPORT_CASE_MACHINE.moves)
    assert parse_moves(original.replace("closed → open", "closed → pending"), known) != set(
        SUPPORT_CASE_MACHINE.moves
    )
    with pytest.raises(AssertionError):
        parse_moves(original + "; resolved → archived", known)
    with pytest.raises(AssertionError):
        parse_moves(original + "; closed may be reopened", known)


@pytest.mark.parametrize("machine", states.MACHINES, ids=lambda m: m.name)
def test_each_machine_names_a_real_column(machine):
    table = Base.metadata.tables[machine.table]
    assert machine.column in table.c
    assert len({label(machine, s) for s in machine.states}) == len(machine.states)


def test_state_columns_cover_every_stored_machine_but_staff():
    tables = {table for table, _, _ in states.STATE_COLUMNS}
    stored = {m.table for m in states.MACHINES if not m.derived}
    assert tables == stored - {"shopping_mall_users"}
    assert set(states.MACHINE_OF_TABLE) == stored
    assert [m for m in states.MACHINES if m.derived] == [states.POLICY_VERSION_MACHINE]


def test_vocabularies_name_real_columns():
    for table, column, values in states.VOCABULARY_COLUMNS:
        assert column in Base.metadata.tables[table].c, (table, column)
        assert len(set(values)) == len(values), (table, column)


# ---- check_move ------------------------------------------------------------------------------
def test_a_listed_move_passes():
    check_move(REFUND_REQUEST_MACHINE, "pending", "pending_second_approval")
    check_move(REFUND_REQUEST_MACHINE, "approved", "executed")
    check_move(states.INVENTORY_RESERVATION_MACHINE, "extended", "extended")
    check_move(REVIEW_REPORT_DECISION_MACHINE, None, "dismissed")


def test_an_illegal_move_is_a_409_naming_both_states():
    with pytest.raises(InvalidTransition) as refused:
        check_move(REFUND_REQUEST_MACHINE, "executed", "approved")
    assert refused.value.status == 409
    assert refused.value.message == "A refund request cannot go from Executed to Approved."
    with pytest.raises(InvalidTransition) as refused:
        check_move(ORDER_MACHINE, "shipped", "canceled")
    assert refused.value.message == "An order cannot go from Shipped to Canceled."
    with pytest.raises(InvalidTransition) as refused:
        check_move(SUPPORT_CASE_MACHINE, "closed", "resolved")
    assert refused.value.message == "A support case cannot go from Closed to Resolved."


def test_final_states_are_left_by_nothing():
    assert states.is_final(REVIEW_MACHINE, "removed_user")
    assert not states.is_final(REVIEW_MACHINE, "rejected")
    for target in REVIEW_MACHINE.states:
        assert not can_move(REVIEW_MACHINE, "removed_user", target)
    assert can_move(REVIEW_MACHINE, "approved", "removed_user")


def test_the_same_state_again_says_so():
    with pytest.raises(InvalidTransition) as refused:
        check_move(SUPPORT_CASE_MACHINE, "resolved", "resolved")
    assert refused.value.message == "A support case is already Resolved."


def test_a_set_once_decision_cannot_change():
    with pytest.raises(InvalidTransition) as refused:
        check_move(REVIEW_REPORT_DECISION_MACHINE, "dismissed", "removed")
    assert "Dismissed" in refused.value.message and "Removed" in refused.value.message
    assert refused.value.message.startswith("A review report decision is set once")


def test_an_unknown_state_is_refused_with_a_message():
    with pytest.raises(ValidationError) as refused:
        check_move(REFUND_REQUEST_MACHINE, "pending", "frozen")
    assert refused.value.status == 422
    assert refused.value.message == "'frozen' is not a state of a refund request."
    with pytest.raises(InvalidTransition) as refused:
        check_move(REFUND_REQUEST_MACHINE, "frozen", "approved")
    assert refused.value.message == "A refund request is in an unknown state (frozen)."
    with pytest.raises(InvalidTransition):
        check_move(REFUND_REQUEST_MACHINE, None, "approved")


HELD_AFTER_CONFIRMED = ["pending_payment", "pending_confirmation", "confirmed", "on_hold"]


def test_an_interrupted_order_returns_to_the_state_it_interrupted():
    check_move(ORDER_MACHINE, "on_hold", "confirmed", history=HELD_AFTER_CONFIRMED)
    with pytest.raises(InvalidTransition) as refused:
        check_move(ORDER_MACHINE, "on_hold", "shipped", history=HELD_AFTER_CONFIRMED)
    assert refused.value.message == (
        "An order on hold returns to Confirmed, the state it interrupted: it cannot go to Shipped."
    )
    # A hold, a release and a second hold: the second returns where the first did.
    history = [*HELD_AFTER_CONFIRMED, "confirmed", "shipped", "under_review"]
    check_move(ORDER_MACHINE, "under_review", "shipped", history=history)
    assert not can_move(ORDER_MACHINE, "under_review", "confirmed", history=history)


def test_an_interrupted_order_may_be_canceled_only_if_what_it_interrupted_may():
    check_move(ORDER_MACHINE, "on_hold", "canceled", history=HELD_AFTER_CONFIRMED)
    shipped = ["pending_payment", "pending_confirmation", "confirmed", "shipped", "on_hold"]
    with pytest.raises(InvalidTransition) as refused:
        check_move(ORDER_MACHINE, "on_hold", "canceled", history=shipped)
    assert "Shipped" in refused.value.message and "Canceled" in refused.value.message


def test_leaving_an_interruption_needs_the_history():
    with pytest.raises(ValueError):
        check_move(ORDER_MACHINE, "under_review", "confirmed")
    with pytest.raises(InvalidTransition) as refused:
        check_move(ORDER_MACHINE, "on_hold", "confirmed", history=["on_hold"])
    assert "status history shows none" in refused.value.message
    assert states.interrupted_state(ORDER_MACHINE, HELD_AFTER_CONFIRMED) == "confirmed"


def test_allowed_targets_for_screens():
    assert allowed_targets(REFUND_REQUEST_MACHINE, "pending_second_approval") == (
        "approved",
        "rejected",
        "canceled",
    )
    assert allowed_targets(REFUND_REQUEST_MACHINE, "executed") == ()
    assert allowed_targets(ORDER_MACHINE, "on_hold", history=HELD_AFTER_CONFIRMED) == (
        "confirmed",
        "canceled",
    )
    assert "shipped" in allowed_targets(ORDER_MACHINE, "on_hold")
    assert allowed_targets(REVIEW_REPORT_DECISION_MACHINE, None) == states.REVIEW_REPORT_DECISION


def test_labels_are_the_staffs_words():
    assert label(ORDER_MACHINE, "on_hold") == "On hold"
    assert label(REFUND_REQUEST_MACHINE, "pending_second_approval") == "Pending second approval"
    assert label(REVIEW_MACHINE, "removed_user") == "Removed by its author"
    assert label(REVIEW_REPORT_DECISION_MACHINE, None) == "Not set"
    assert label(ORDER_MACHINE, "something_new") == "Something new"


def test_a_data_export_expires_without_a_move():
    now = datetime(2026, 6, 1, tzinfo=UTC)
    assert states.export_expired(now - timedelta(seconds=1), now=now)
    assert not states.export_expired(now + timedelta(days=1), now=now)
    assert not states.export_expired(None, now=now)


def test_case_status_changes_carry_both_states():
    body = states.case_status_change("open", "pending")
    assert body == "open → pending"
    assert states.parse_case_status_change(body) == ("open", "pending")
    assert states.parse_case_status_change("status updated") is None
    assert states.parse_case_status_change(None) is None


def test_stored_values_read_as_words():
    from mallconsole.core.states import in_words

    assert in_words("pending_second_approval") == "Pending second approval"
    assert in_words("removed_moderator") == "Removed by a moderator"
    assert in_words(None) == in_words("") == "Not set"
    assert (in_words(True), in_words(False)) == ("Yes", "No")
    assert in_words(["active", "suspended"]) == "Active, Suspended"
    assert in_words("300.00") == "300.00" and in_words(7) == "7"
    assert in_words("finance.refund") == "finance.refund"  # not a state: as it is
    ids = ["5a4aed6f-c2e5-40a7-bb5e-56cef297b1c0", "eedbfefc-6579-4f08-a1dc-0e968f7de8d0"]
    assert in_words(ids) == "2 records" and in_words(ids[:1]) == "1 record"  # never raw ids
