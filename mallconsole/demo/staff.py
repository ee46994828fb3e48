"""Staff accounts of docs/contract.md ("Demo accounts") plus a suspended, a terminated and a
locked-out colleague, so the admin screens show every staff state."""

from __future__ import annotations

from datetime import timedelta

from mallconsole.demo.world import World

DEMO_PASSWORD = "demo-console-pass"
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

ROLE_TABLES = {
    "support_agent": "shopping_mall_supportagent",
    "operations_manager": "shopping_mall_operationsmanager",
    "finance_manager": "shopping_mall_financemanager",
    "content_moderator": "shopping_mall_contentmoderator",
    "system_admin": "shopping_mall_systemadmin",
}

# (email, name, roles): exactly the accounts of docs/contract.md.
DEMO_ACCOUNTS = (
    ("support@demo.mall", "Sam Support", ("support_agent",)),
    ("support2@demo.mall", "Sasha Support", ("support_agent",)),
    ("ops@demo.mall", "Olga Operations", ("operations_manager",)),
    ("finance@demo.mall", "Fatima Finance", ("finance_manager",)),
    ("finance2@demo.mall", "Felix Finance", ("finance_manager",)),
    ("moderator@demo.mall", "Mona Moderator", ("content_moderator",)),
    ("moderator2@demo.mall", "Milo Moderator", ("content_moderator",)),
    ("admin@demo.mall", "Ada Admin", ("system_admin",)),
    ("admin2@demo.mall", "Alan Admin", ("system_admin",)),
    ("lead@demo.mall", "Lee Lead", ("support_agent", "operations_manager")),
    ("mfa-admin@demo.mall", "Max MFA-Admin", ("system_admin",)),
)
MFA_ACCOUNT = "mfa-admin@demo.mall"

# (email, name, roles, status, locked): colleagues who cannot work right now.
OTHER_STAFF = (
    ("suspended@demo.mall", "Sid Suspended", ("support_agent",), "suspended", False),
    ("former@demo.mall", "Fern Former", ("content_moderator",), "terminated", False),
    ("locked@demo.mall", "Lou Locked", ("finance_manager",), "active", True),
)


def build_staff(world: World, *, password_hash: str, mfa_secret_encrypted: str) -> None:
    """Staff users with their role rows (revoked_at null for active roles)."""
    staff: dict[str, str] = {}
    by_role: dict[str, list[str]] = {role: [] for role in ROLE_TABLES}
    joined = world.ago(days=400)
    admin_id = None
    everyone = [(e, n, r, "active", False) for e, n, r in DEMO_ACCOUNTS] + list(OTHER_STAFF)
    for email, name, roles, status, locked in everyone:
        mfa = email == MFA_ACCOUNT
        user = world.add(
            "shopping_mall_users",
            at=joined,
            email=email,
            password_hash=password_hash,
            email_verified=True,
            verified_at=joined,
            mfa_enabled=mfa,
            mfa_method="totp" if mfa else None,
            mfa_secret_encrypted=mfa_secret_encrypted if mfa else None,
            password_changed_at=joined,
            status=status,
            name=name,
            nickname=name.split()[0],
            lockout_until=world.now + timedelta(minutes=14) if locked else None,
            last_login_at=world.ago(days=world.rng.randint(0, 3), hours=world.rng.randint(0, 20)),
            updated_at=world.ago(days=2),
        )
        staff[email] = user["id"]
        admin_id = admin_id or (user["id"] if "system_admin" in roles else None)
        revoked = world.ago(days=30) if status == "terminated" else None
        for role in roles:
            world.add(
                ROLE_TABLES[role],
                at=joined,
                shopping_mall_user_id=user["id"],
                granted_by_user_id=admin_id if admin_id != user["id"] else None,
                assigned_at=joined,
                revoked_at=revoked,
                reason="demo staff" if revoked is None else "left the company",
            )
            if status == "active" and not locked:
                by_role[role].append(user["id"])
        if locked:
            for minutes in range(5):
                world.add(
                    "shopping_mall_sign_in_attempts",
                    email=email,
                    email_key=email,
                    client_ip="203.0.113.7",
                    success=False,
                    attempted_at=world.ago(minutes=10 - minutes),
                )
            world.add(
                "shopping_mall_user_security_events",
                at=world.ago(minutes=5),
                shopping_mall_user_id=user["id"],
                event_type="lockout",
                reason="too many failed sign-ins",
                ip="203.0.113.7",
                occurred_at=world.ago(minutes=5),
            )
    world.refs["staff"] = staff
    world.refs["staff_by_role"] = by_role
    world.refs["admin"] = staff["admin@demo.mall"]
