"""Every kind of maker-checker action the inbox can show has an executor, or is one the console
cannot carry out yet (and the inbox says so); executors register through services/executors.py."""

from mallconsole.core import states
from mallconsole.services import approvals, executors


def test_every_action_kind_has_an_executor_or_is_listed_as_not_carried_out(app):
    kinds = set(states.ADMIN_ACTION_NAMES)
    carried = {k for k in kinds if approvals.executor_of(k) is not None}
    assert carried == set(executors.EXECUTORS)
    assert carried | executors.NOT_CARRIED_OUT == kinds
    assert not carried & executors.NOT_CARRIED_OUT


def test_a_kind_not_carried_out_says_why_and_others_do_not(app):
    for kind in executors.NOT_CARRIED_OUT:
        assert "cannot carry out" in approvals.unavailable_reason(kind)
    for kind in executors.EXECUTORS:
        assert approvals.unavailable_reason(kind) is None


def test_the_inbox_names_and_links_the_records_of_every_registered_target(app):
    for table, (labels, screen) in executors.TARGETS.items():
        assert approvals.TARGETS[table] == (labels, screen)
        assert screen[0] in app.view_functions
