"""Pins the role -> permission map: a change here is a change of who may do what."""

from mallconsole.core.roles import ROLE_PERMISSIONS, Permission, Role, permissions_of

EXPECTED = {
    "support_agent": {
        "console.use", "support.access", "cases.view", "orders.view", "returns.view",
        "refunds.view", "customers.view", "cases.work", "customers.reveal", "requests.raise",
        "canned_replies.manage",
    },
    "operations_manager": {
        "console.use", "operations.access", "orders.view", "returns.view", "skus.view",
        "customers.view", "orders.manage", "cancellations.decide", "returns.decide",
        "shipments.manage", "carriers.manage", "inventory.adjust",
    },
    "finance_manager": {
        "console.use", "finance.access", "orders.view", "refunds.view", "payouts.view",
        "approvals.finance", "refunds.decide", "refunds.execute", "wallets.adjust",
        "payouts.manage", "reserves.manage", "chargebacks.manage", "finance.export",
    },
    "content_moderator": {
        "console.use", "moderation.access", "skus.view", "reviews.moderate",
    },
    "system_admin": {
        "console.use", "admin.access", "audit.view", "customers.view", "jobs.manage",
        "approvals.admin", "flags.manage", "configurations.manage", "policies.manage",
    },
}  # fmt: skip


def test_role_permission_map_is_pinned():
    actual = {role.value: {p.value for p in perms} for role, perms in ROLE_PERMISSIONS.items()}
    assert actual == EXPECTED


def test_roles_are_the_contracts_five():
    assert [r.value for r in Role] == [
        "support_agent", "operations_manager", "finance_manager", "content_moderator",
        "system_admin",
    ]  # fmt: skip


def test_every_permission_is_granted_to_some_role():
    assert set().union(*ROLE_PERMISSIONS.values()) == set(Permission)


def test_permissions_of_several_roles_is_the_union():
    both = permissions_of([Role.SUPPORT_AGENT, Role.FINANCE_MANAGER])
    assert Permission.PAYOUTS_VIEW in both and Permission.CASES_VIEW in both
    assert Permission.ADMIN_ACCESS not in both
