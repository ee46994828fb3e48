"""Who carries out each maker-checker action: the one place executors meet the approvals service.

``services/approvals.py`` imports no owning service; this module, on the top floor of
``services``, registers what each owning service does once a request is approved, and how the
inbox names and links the records they are about. ``create_app`` calls ``register_all`` (the
worker and every command build the app), so every process knows every executor.
"""

from __future__ import annotations

from mallconsole.core import states
from mallconsole.services import approvals
from mallconsole.services.admin import configuration, flags, policies
from mallconsole.services.aftersales import refund_decisions
from mallconsole.services.money import payouts, wallet_adjustments

# Each action kind and the service function that carries it out once approved.
EXECUTORS = {
    refund_decisions.ACTION: refund_decisions.carry_out,  # approves only: money moves later
    wallet_adjustments.ACTION: wallet_adjustments.carry_out,
    payouts.ACTION: payouts.carry_out,
    configuration.ACTION: configuration.carry_out,
    flags.ACTION: flags.carry_out,
    policies.ACTION: policies.carry_out,
}

# Kinds the inbox lists (other systems of the mall may request them) that the console cannot
# carry out yet: they can only be rejected, and the inbox says why (approvals.unavailable_reason).
NOT_CARRIED_OUT = frozenset({"grant_role", "suspend_seller", "purge_customer_data"})

# How the inbox names the records of each table, and the screen it links them to.
TARGETS = {
    payouts.TABLE: (payouts.payout_labels, ("finance.payout_detail", "payout_id")),
    flags.TABLE: (flags.target_labels, ("admin.flag_detail", "code")),
    policies.VERSIONS: (policies.target_labels, ("admin.policy_version_detail", "version_id")),
}


def register_all() -> None:
    """Register every executor and target with the approvals service (idempotent)."""
    missing = set(states.ADMIN_ACTION_NAMES) - set(EXECUTORS) - NOT_CARRIED_OUT
    if missing:
        raise RuntimeError(f"action kinds with no executor and not decision-only: {missing}")
    for action_name, executor in EXECUTORS.items():
        approvals.register_executor(action_name, executor)
    for table, (labels, screen) in TARGETS.items():
        approvals.register_target(table, labels, screen)
