"""Staff roles, permissions and the one map between them (docs/contract.md "Roles and where
they live").

A staff member holds a role while its role-assignment row has ``revoked_at`` null. The map is
pinned by ``tests/security/test_permissions.py``; views guard themselves with
``mallconsole.web.authz.require``.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A staff role, keyed as in docs/contract.md; the order is the navigation order."""

    SUPPORT_AGENT = "support_agent"
    OPERATIONS_MANAGER = "operations_manager"
    FINANCE_MANAGER = "finance_manager"
    CONTENT_MODERATOR = "content_moderator"
    SYSTEM_ADMIN = "system_admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def home_endpoint(self) -> str:
        return f"{ROLE_BLUEPRINTS[self]}.home"


ROLE_LABELS = {
    Role.SUPPORT_AGENT: "Support",
    Role.OPERATIONS_MANAGER: "Operations",
    Role.FINANCE_MANAGER: "Finance",
    Role.CONTENT_MODERATOR: "Moderation",
    Role.SYSTEM_ADMIN: "Admin",
}

# What holders of each role are called in sentences (one, several): "another finance manager".
ROLE_MEMBER_NAMES = {
    Role.SUPPORT_AGENT: ("support agent", "support agents"),
    Role.OPERATIONS_MANAGER: ("operations manager", "operations managers"),
    Role.FINANCE_MANAGER: ("finance manager", "finance managers"),
    Role.CONTENT_MODERATOR: ("content moderator", "content moderators"),
    Role.SYSTEM_ADMIN: ("system admin", "system admins"),
}

# Blueprint name (and package) of each role; the URL prefix is "/<name>/".
ROLE_BLUEPRINTS = {
    Role.SUPPORT_AGENT: "support",
    Role.OPERATIONS_MANAGER: "operations",
    Role.FINANCE_MANAGER: "finance",
    Role.CONTENT_MODERATOR: "moderation",
    Role.SYSTEM_ADMIN: "admin",
}


class Permission(StrEnum):
    """Something a staff member may do or see."""

    # Every staff member: the home redirect, global search, their own account page.
    CONSOLE_USE = "console.use"
    # Each role's area and its home queues.
    SUPPORT_ACCESS = "support.access"
    OPERATIONS_ACCESS = "operations.access"
    FINANCE_ACCESS = "finance.access"
    MODERATION_ACCESS = "moderation.access"
    ADMIN_ACCESS = "admin.access"
    # Records a staff member may find in search and open.
    ORDERS_VIEW = "orders.view"
    CASES_VIEW = "cases.view"
    RETURNS_VIEW = "returns.view"
    REFUNDS_VIEW = "refunds.view"
    PAYOUTS_VIEW = "payouts.view"
    SKUS_VIEW = "skus.view"
    CUSTOMERS_VIEW = "customers.view"
    AUDIT_VIEW = "audit.view"
    # Actions (a view under a role's prefix may require any permission of that role).
    JOBS_MANAGE = "jobs.manage"
    # Support actions: work cases (reply, note, change, assign), reveal a customer's personal
    # data (audited), raise requests on a customer's behalf, keep the canned-reply library.
    CASES_WORK = "cases.work"
    CUSTOMERS_REVEAL = "customers.reveal"
    REQUESTS_RAISE = "requests.raise"
    CANNED_REPLIES_MANAGE = "canned_replies.manage"
    # Deciding maker-checker requests (mallconsole/services/approvals.py), per area.
    APPROVALS_FINANCE = "approvals.finance"
    APPROVALS_ADMIN = "approvals.admin"
    # Moderation actions: decide reviews, seller replies and reports (claims included).
    REVIEWS_MODERATE = "reviews.moderate"
    # Finance actions: decide refund requests, execute approved ones (move the money), adjust
    # store-credit wallets, compose and move payouts (and verify payout accounts), place and
    # release reserves, work chargebacks, download reconciliation exports.
    REFUNDS_DECIDE = "refunds.decide"
    REFUNDS_EXECUTE = "refunds.execute"
    WALLETS_ADJUST = "wallets.adjust"
    PAYOUTS_MANAGE = "payouts.manage"
    RESERVES_MANAGE = "reserves.manage"
    CHARGEBACKS_MANAGE = "chargebacks.manage"
    FINANCE_EXPORT = "finance.export"
    # Admin actions: feature flags, configuration values, policies and their versions.
    FLAGS_MANAGE = "flags.manage"
    CONFIGURATIONS_MANAGE = "configurations.manage"
    POLICIES_MANAGE = "policies.manage"
    # Operations actions: hold and release orders, decide and execute cancellations, decide,
    # receive and inspect returns, record shipment events and corrections, keep the carriers,
    # adjust stock.
    ORDERS_MANAGE = "orders.manage"
    CANCELLATIONS_DECIDE = "cancellations.decide"
    RETURNS_DECIDE = "returns.decide"
    SHIPMENTS_MANAGE = "shipments.manage"
    CARRIERS_MANAGE = "carriers.manage"
    INVENTORY_ADJUST = "inventory.adjust"


_P = Permission

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.SUPPORT_AGENT: frozenset(
        {
            _P.CONSOLE_USE,
            _P.SUPPORT_ACCESS,
            _P.CASES_VIEW,
            _P.ORDERS_VIEW,
            _P.RETURNS_VIEW,
            _P.REFUNDS_VIEW,
            _P.CUSTOMERS_VIEW,
            _P.CASES_WORK,
            _P.CUSTOMERS_REVEAL,
            _P.REQUESTS_RAISE,
            _P.CANNED_REPLIES_MANAGE,
        }
    ),
    Role.OPERATIONS_MANAGER: frozenset(
        {
            _P.CONSOLE_USE,
            _P.OPERATIONS_ACCESS,
            _P.ORDERS_VIEW,
            _P.RETURNS_VIEW,
            _P.SKUS_VIEW,
            _P.CUSTOMERS_VIEW,
            _P.ORDERS_MANAGE,
            _P.CANCELLATIONS_DECIDE,
            _P.RETURNS_DECIDE,
            _P.SHIPMENTS_MANAGE,
            _P.CARRIERS_MANAGE,
            _P.INVENTORY_ADJUST,
        }
    ),
    Role.FINANCE_MANAGER: frozenset(
        {
            _P.CONSOLE_USE,
            _P.FINANCE_ACCESS,
            _P.ORDERS_VIEW,
            _P.REFUNDS_VIEW,
            _P.PAYOUTS_VIEW,
            _P.APPROVALS_FINANCE,
            _P.REFUNDS_DECIDE,
            _P.REFUNDS_EXECUTE,
            _P.WALLETS_ADJUST,
            _P.PAYOUTS_MANAGE,
            _P.RESERVES_MANAGE,
            _P.CHARGEBACKS_MANAGE,
            _P.FINANCE_EXPORT,
        }
    ),
    Role.CONTENT_MODERATOR: frozenset(
        {_P.CONSOLE_USE, _P.MODERATION_ACCESS, _P.SKUS_VIEW, _P.REVIEWS_MODERATE}
    ),
    Role.SYSTEM_ADMIN: frozenset(
        {
            _P.CONSOLE_USE,
            _P.ADMIN_ACCESS,
            _P.AUDIT_VIEW,
            _P.CUSTOMERS_VIEW,
            _P.JOBS_MANAGE,
            _P.APPROVALS_ADMIN,
            _P.FLAGS_MANAGE,
            _P.CONFIGURATIONS_MANAGE,
            _P.POLICIES_MANAGE,
        }
    ),
}


def permissions_of(roles) -> frozenset[Permission]:
    """The union of the permissions of ``roles``."""
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    return frozenset(granted)


def roles_holding(permission) -> tuple[Role, ...]:
    """The roles whose holders have ``permission``, in role order."""
    return tuple(role for role in Role if permission in ROLE_PERMISSIONS[role])


def holders_in_words(permission, count: int = 1) -> str:
    """Who else, holding ``permission``, is needed: "another finance manager", "2 more system
    admins" ("another person" when several roles hold it)."""
    roles = roles_holding(permission)
    one, several = ROLE_MEMBER_NAMES[roles[0]] if len(roles) == 1 else ("person", "people")
    return f"another {one}" if count == 1 else f"{count} more {several}"
