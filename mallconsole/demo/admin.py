"""Configuration (the keys of docs/contract.md), feature flags (on, off, scheduled, rolling out),
policies with versions (approved history and a pending draft), locales, risk rules, data
exports of every state, admin actions awaiting approval (maker-checker), and the audit trail
of those changes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from mallconsole.core import states
from mallconsole.demo.aftersales import REFUND_DUAL_APPROVAL_USD
from mallconsole.demo.approvals import decision_given, requested_audit
from mallconsole.demo.audit import audit, audit_walk
from mallconsole.demo.finance import (
    NEW_SELLER_SETTLEMENT_DELAY_DAYS,
    PAYOUT_DUAL_APPROVAL,
    SETTLEMENT_DELAY_DAYS,
)
from mallconsole.demo.support import SLA_FIRST_RESPONSE_HOURS
from mallconsole.demo.world import World
from mallconsole.services.kit import settings

# (key, value); each row is described as its key is in services/kit/settings.py.
CONFIGURATION = (
    *(
        (template.format(currency=currency), value)
        for template, value in (
            (states.REFUND_DUAL_APPROVAL_THRESHOLD, str(REFUND_DUAL_APPROVAL_USD)),
            (states.PAYOUT_DUAL_APPROVAL_THRESHOLD, str(PAYOUT_DUAL_APPROVAL)),
            (states.WALLET_DUAL_APPROVAL_THRESHOLD, "100.00"),
        )
        for currency in ("USD", "EUR")
    ),
    (states.PAYOUT_SETTLEMENT_DELAY_DAYS, str(SETTLEMENT_DELAY_DAYS)),
    *(
        (states.SLA_FIRST_RESPONSE_HOURS.format(priority=p), str(h))
        for p, h in SLA_FIRST_RESPONSE_HOURS.items()
    ),
    (states.MODERATION_CLAIM_BATCH_SIZE, str(states.DEFAULT_CLAIM_BATCH_SIZE)),
    (states.MODERATION_CLAIM_MINUTES, str(states.DEFAULT_CLAIM_MINUTES)),
    (states.SHIPMENT_STALE_EVENT_DAYS, str(states.DEFAULT_SHIPMENT_STALE_EVENT_DAYS)),
    (states.APPROVALS_EXPIRY_HOURS, str(states.DEFAULT_APPROVALS_EXPIRY_HOURS)),
    (states.WALLET_DIRECT_WINDOW_HOURS, str(states.DEFAULT_DIRECT_WINDOW_HOURS)),
    (states.REFUND_DIRECT_WINDOW_HOURS, str(states.DEFAULT_DIRECT_WINDOW_HOURS)),
)
LOCALES = (
    ("en-US", "English (United States)", "English", False, True),
    ("en-GB", "English (United Kingdom)", "English", False, True),
    ("fr-FR", "French (France)", "Français", False, True),
    ("de-DE", "German (Germany)", "Deutsch", False, True),
    ("ar-SA", "Arabic (Saudi Arabia)", "العربية", True, True),
    ("ja-JP", "Japanese (Japan)", "日本語", False, False),
)
RISK_RULES = (
    (
        "high_value_new_account",
        "High value from a new account",
        "order.total > 1000 and account.age_days < 7",
        "review",
        True,
    ),
    ("velocity_cards", "Many cards in one hour", "payment.distinct_cards_1h >= 3", "hold", True),
    (
        "mismatched_country",
        "Billing and IP country differ",
        "billing.country != ip.country",
        "review",
        True,
    ),
    (
        "reshipper_address",
        "Known reshipper address",
        "shipping.address in reshippers",
        "hold",
        False,
    ),
    ("refund_abuse", "Frequent refunds", "customer.refunds_90d >= 4", "review", True),
)
# (code, name, enabled, rollout %, starts in, ends in, segment): one flag of each state.
FLAGS = (
    ("checkout.one_page", "One-page checkout", True, 100, None, None, None),  # on
    ("reviews.photo_upload", "Photos in reviews", False, None, None, None, None),  # off
    ("support.chat_widget", "Live chat widget", True, 100, timedelta(days=3), None, None),
    ("search.semantic", "Semantic search", True, 25, None, None, "segment=beta_testers"),
    ("payouts.instant", "Instant payouts", True, 10, None, None, "country=US"),
    ("catalog.bulk_edit", "Bulk catalog edit", False, 0, None, None, None),
    ("promotions.black_friday_banner", "Black Friday banner", True, 100, timedelta(days=-14),
     timedelta(days=-7), None),  # expired
    ("payments.strong_authentication", "Strong customer authentication", True, 100, None, None,
     None),
    ("locale.korean_storefront", "Korean storefront", True, 50, None, None, "locale=ko-KR"),
    ("catalog.legacy_category_menu", "Old category menu", True, 100, None, None, None),
)  # fmt: skip
# Archived (off for everyone, shown under the list's "Archived" state, can be restored).
ARCHIVED_FLAGS = ("catalog.legacy_category_menu",)
# Changes to these wait for a second admin (maker-checker).
SENSITIVE_FLAGS = ("payouts.instant", "payments.strong_authentication")
POLICIES = (
    ("returns", "Returns policy", "returns"),
    ("cancellations", "Cancellation policy", "orders"),
    ("pricing_floor", "Pricing floors", "pricing"),
    ("review_guidelines", "Review guidelines", "moderation"),
)
# Each policy's versions: (label, first day from today, last day or None, approved, author
# ("admin"/"admin2"), submitted for approval, change notes, terms). Approved windows follow one
# another without overlapping; drafts start in the future (a version never starts in the past).
POLICY_VERSIONS = {
    "returns": (
        (
            "1.0",
            -420,
            -180,
            True,
            "admin2",
            False,
            "First returns policy of the mall.",
            "Returns\n\nYou can return most items within 30 days of delivery.\n"
            "Items must be unused and in their original packaging.\n"
            "Return shipping is paid by the customer unless the item is faulty.\n"
            "Refunds go back to the original payment method within 10 business days.",
        ),
        (
            "2.0",
            -180,
            None,
            True,
            "admin",
            False,
            "Free return shipping; refunds faster.",
            "Returns\n\nYou can return most items within 30 days of delivery.\n"
            "Items must be unused and in their original packaging.\n"
            "Return shipping is free with the prepaid label in your account.\n"
            "Refunds go back to the original payment method within 5 business days.\n"
            "Final-sale items are marked on the product page and cannot be returned.",
        ),
        (
            "3.0",
            14,
            None,
            False,
            "admin",
            True,
            "Holiday season: a longer return window for orders placed in December.",
            "Returns\n\nYou can return most items within 30 days of delivery.\n"
            "Orders delivered between 1 and 31 December can be returned until 31 January.\n"
            "Items must be unused and in their original packaging.\n"
            "Return shipping is free with the prepaid label in your account.\n"
            "Refunds go back to the original payment method within 5 business days.\n"
            "Final-sale items are marked on the product page and cannot be returned.",
        ),
    ),
    "cancellations": (
        (
            "1.0",
            -400,
            -150,
            True,
            "admin",
            False,
            "First cancellation policy.",
            "Cancellations\n\nYou can cancel an order until it ships.\n"
            "Once an order has shipped, return it instead.",
        ),
        (
            "1.1",
            -150,
            -40,
            True,
            "admin2",
            False,
            "Sellers have one hour to accept.",
            "Cancellations\n\nYou can cancel an order until it ships.\n"
            "Sellers accept or decline a cancellation within one hour.\n"
            "Once an order has shipped, return it instead.",
        ),
        (
            "2.0",
            -40,
            None,
            True,
            "admin",
            False,
            "Made-to-order items: 24 hours only.",
            "Cancellations\n\nYou can cancel an order until it ships.\n"
            "Made-to-order items can be cancelled within 24 hours of the order only.\n"
            "Sellers accept or decline a cancellation within one hour.\n"
            "Once an order has shipped, return it instead.",
        ),
        (
            "2.1",
            30,
            None,
            False,
            "admin2",
            False,
            "Digital goods cannot be cancelled once sent.",
            "Cancellations\n\nYou can cancel an order until it ships.\n"
            "Made-to-order items can be cancelled within 24 hours of the order only.\n"
            "Digital goods cannot be cancelled once the download link is sent.\n"
            "Sellers accept or decline a cancellation within one hour.\n"
            "Once an order has shipped, return it instead.",
        ),
    ),
    "pricing_floor": (
        (
            "1.0",
            -300,
            None,
            True,
            "admin",
            False,
            "First pricing floors.",
            "Pricing floors\n\nNo item may be listed below its cost to the seller.\n"
            "Promotions may not lower a price more than 70% below its list price.",
        ),
        (
            "2.0",
            21,
            None,
            False,
            "admin2",
            True,
            "Cap promotional discounts at 60%.",
            "Pricing floors\n\nNo item may be listed below its cost to the seller.\n"
            "Promotions may not lower a price more than 60% below its list price.\n"
            "Coupons stack with promotions up to the same floor.",
        ),
    ),
    "review_guidelines": (
        (
            "1.0",
            7,
            None,
            False,
            "admin",
            False,
            "First guidelines for product reviews.",
            "Review guidelines\n\nReviews describe your own experience of the product.\n"
            "No personal data, links or advertising.\n"
            "Reviews that break these rules are removed by our moderators.",
        ),
    ),
}
# The moves that led a data export to each state (approval by a second admin, then the job).
EXPORT_PATHS = {
    "requested": ("requested",),
    "approved": ("requested", "approved"),
    "processing": ("requested", "approved", "processing"),
    "completed": ("requested", "approved", "processing", "completed"),
    "failed": ("requested", "approved", "processing", "failed"),
    "canceled": ("requested", "canceled"),
}


def build_admin(world: World) -> None:
    admin, admin2 = world.refs["staff"]["admin@demo.mall"], world.refs["staff"]["admin2@demo.mall"]
    created = world.ago(days=365)
    for key, value in CONFIGURATION:
        world.add(
            "shopping_mall_configurations",
            at=created,
            key=key,
            value=value,
            description=settings.declared(key)[0].description,
        )
    world.add(
        "shopping_mall_configurations",
        at=created,
        key=states.PAYOUT_SETTLEMENT_DELAY_DAYS,
        value=str(NEW_SELLER_SETTLEMENT_DELAY_DAYS),
        scope=f"seller:{world.refs['sellers'][0]['id']}",
        description="New seller: longer settlement delay",
    )
    for seller_id, threshold in world.refs.get("payout_thresholds", {}).items():
        world.add(
            "shopping_mall_configurations",
            at=created,
            key=states.PAYOUT_DUAL_APPROVAL_THRESHOLD.format(currency="USD"),
            value=str(threshold),
            scope=f"seller:{seller_id}",
            description="Seller under review: payouts over this need a second approval",
        )
    for code, name, enabled, rollout, starts, ends, segment in FLAGS:
        flag = world.add(
            "shopping_mall_feature_flags",
            at=created,
            updated_at=world.ago(days=world.rng.randint(1, 30)),
            code=code,
            name=name,
            description=f"{name} for shoppers",
            enabled=enabled,
            rollout_percentage=rollout,
            segment=segment,
            starts_at=world.now + starts if starts is not None else None,
            ends_at=world.now + ends if ends is not None else None,
            sensitive=code in SENSITIVE_FLAGS,
            deleted_at=world.ago(hours=12) if code in ARCHIVED_FLAGS else None,
        )
        # The last change: switched to how it is now (its history, so it can be reverted).
        audit(
            world,
            actor=admin,
            table="shopping_mall_feature_flags",
            entity_id=flag["id"],
            action="flag.updated",
            at=flag["updated_at"],
            before={"enabled": not enabled},
            after={"enabled": enabled},
        )
        if code in ARCHIVED_FLAGS:
            flag["updated_at"] = flag["deleted_at"]
            audit(world, actor=admin, table="shopping_mall_feature_flags", entity_id=flag["id"],
                  action="flag.archived", at=flag["deleted_at"], before={"archived": False},
                  after={"archived": True}, summary=f"Archived the flag {code}",
                  reason="The new category menu replaced it.")  # fmt: skip
    _policies(world, admin, admin2)
    for code, name, native, rtl, active in LOCALES:
        world.add(
            "shopping_mall_locales",
            at=created,
            code=code,
            name=name,
            native_name=native,
            rtl=rtl,
            active=active,
        )
    for priority, (code, name, condition, decision, active) in enumerate(RISK_RULES):
        world.add(
            "shopping_mall_risk_rules",
            at=created,
            created_by_user_id=admin,
            updated_by_user_id=admin2 if priority % 2 else None,
            code=code,
            name=name,
            description=name,
            active=active,
            priority=(priority + 1) * 10,
            condition=condition,
            decision=decision,
        )
    _exports(world, admin, admin2)
    _admin_actions(world, admin, admin2)
    _staff_history(world, admin)


def _policies(world: World, admin: str, admin2: str) -> None:
    """Policies with approved history, the version in force and drafts, some waiting for the
    other admin's approval (a pending ``approve_policy_version`` request its executor reads)."""
    from mallconsole.services.admin import policies

    authors = {"admin": admin, "admin2": admin2}
    today = policies.day_start(world.now.date())
    for code, title, category in POLICIES:
        specs = POLICY_VERSIONS[code]
        first = min(spec[1] for spec in specs)
        policy = world.add(
            "shopping_mall_policies",
            at=today + timedelta(days=first - 20),
            code=code,
            title=title,
            category=category,
            status="active" if any(spec[3] for spec in specs) else "draft",
            description=f"The {title.lower()} of the mall",
        )
        superseded = None
        # Every approved version but the last is superseded by the next: it was drafted
        # open-ended, and its approval history ends its window.
        approved_labels = [spec[0] for spec in specs if spec[3]]
        closed_later = set(approved_labels[:-1])
        for label, start, end, approved, author, submitted, notes, content in specs:
            starts = today + timedelta(days=start)
            ends = today + timedelta(days=end) if end is not None else None
            written = (starts - timedelta(days=20)) if approved else world.ago(days=2)
            row = world.add(
                "shopping_mall_policy_versions",
                at=written,
                updated_at=starts if approved else written,
                shopping_mall_policy_id=policy["id"],
                version=label,
                effective_from=starts,
                effective_to=ends,
                change_notes=notes,
                content=content,
                approved=approved,
                author_user_id=authors[author],
                row_version=2 if approved else 1,
            )
            checker = admin2 if author == "admin" else admin
            drafted = {"label": label, "effective_from": starts.date().isoformat(), "version": 1}
            if ends is not None and label not in closed_later:
                drafted["effective_to"] = ends.date().isoformat()
            audit(world, actor=authors[author], table="shopping_mall_policy_versions",
                  entity_id=row["id"], action="policy_version.drafted", at=written,
                  before={}, after=drafted,
                  summary=f"Drafted version {label} of {title}")  # fmt: skip
            if approved:
                approved_at = starts - timedelta(days=3)
                audit(world, actor=checker, table="shopping_mall_policy_versions",
                      entity_id=row["id"], action="policy_version.approved", at=approved_at,
                      before={"approved": False, "version": 1},
                      after={"approved": True, "version": 2},
                      summary=f"Approved version {label} of {title}")  # fmt: skip
                if superseded is not None:
                    audit(world, actor=checker, table="shopping_mall_policy_versions",
                          entity_id=superseded["id"], action="policy_version.superseded",
                          at=approved_at, before={"effective_to": None},
                          after={"effective_to": starts.date().isoformat()},
                          summary=f"Version {superseded['version']} of {title} ends on "
                          f"{policies.day_words(starts)}: superseded by {label}")  # fmt: skip
                superseded = row
            elif submitted:
                _policy_request(world, policy, row, superseded, authors[author])


def _policy_request(world: World, policy: dict, row: dict, in_force: dict | None, author: str):
    """A pending request to approve ``row``, with the payload ``policies.submit`` writes."""
    from mallconsole.models import Policy, PolicyVersion
    from mallconsole.services.admin import policies

    as_policy = Policy(id=policy["id"], title=policy["title"])
    version = PolicyVersion(
        id=row["id"], version=row["version"], row_version=row["row_version"],
        effective_from=row["effective_from"], effective_to=row["effective_to"],
    )  # fmt: skip
    predecessor = None
    if in_force is not None and in_force["effective_to"] is None:
        predecessor = PolicyVersion(
            version=in_force["version"], effective_from=in_force["effective_from"],
            effective_to=None,
        )  # fmt: skip
    requested = world.ago(hours=world.rng.uniform(2, 30))
    action = world.add(
        "shopping_mall_admin_actions",
        at=requested,
        requested_by_user_id=author,
        performed_by_user_id=None,
        idempotency_key=f"policy-version-{policy['code']}-{row['version']}",
        action_name=policies.ACTION,
        target_entity_table=policies.VERSIONS,
        target_entity_id=row["id"],
        status="pending",
        justification=row["change_notes"],
        rejection_reason=None,
        scheduled_at=None,
        executed_at=None,
        payload=policies.approval_payload(as_policy, version, predecessor),
        revision=1,
        approvals_needed=1,
        approver_permission="approvals.admin",
        expires_at=requested + timedelta(hours=states.DEFAULT_APPROVALS_EXPIRY_HOURS),
        cancel_reason=None,
    )
    requested_audit(world, action, author, requested)


def _exports(world: World, admin: str, admin2: str) -> None:
    upload_dir = world.refs.get("upload_dir")
    for n in range(len(states.DATA_EXPORT) + 2):
        status = states.DATA_EXPORT[n] if n < len(states.DATA_EXPORT) else "completed"
        expired = n == len(states.DATA_EXPORT)  # a completed export already past expiry
        requested = world.ago(days=40 if expired else world.rng.uniform(0.2, 6))
        moved = world.after(requested, hours=3)
        done = moved if status == "completed" else None
        number = world.number("EXP", requested)
        file_uri = f"exports/{number}.csv" if status == "completed" else None
        if file_uri and upload_dir:
            path = Path(upload_dir) / file_uri
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(
                "order_number,status,grand_total\nORD-20260101-000001,completed,19.99\n"
            )
        export = world.add(
            "shopping_mall_data_exports",
            at=requested,
            updated_at=done or requested,
            requested_by_user_id=admin,
            approved_by_user_id=admin2
            if status in ("approved", "processing", "completed", "failed")
            else None,
            request_number=number,
            purpose=world.pick(states.EXPORT_PURPOSES),
            scope_description="Orders and payments of the last quarter",
            status=status,
            justification="Requested by the finance team for the quarterly close",
            delivery_channel="download",
            file_uri=file_uri,
            expires_at=(done + timedelta(days=7)) if done else None,
            completed_at=done,
        )
        path = EXPORT_PATHS[status]
        audit_walk(
            world,
            table="shopping_mall_data_exports",
            entity_id=export["id"],
            column="status",
            path=path,
            # The requester withdraws; a second admin approves; the export job does the rest.
            actors=[{"canceled": admin, "approved": admin2}.get(step) for step in path[1:]],
            action="export",
            start=requested,
            end=moved,
        )


def _admin_actions(world: World, admin: str, admin2: str) -> None:
    """Requests waiting in the approvals inboxes (some for each admin and finance manager),
    and some of each later state, each with the exact change it asks for."""
    staff = world.refs["staff"]
    finance, finance2 = staff["finance@demo.mall"], staff["finance2@demo.mall"]
    configs = {
        row["key"]: row
        for row in world.rows["shopping_mall_configurations"]
        if row.get("scope") is None
    }
    active = [s for s in world.refs["sellers"] if s["state"] == "active"]
    customers = world.refs["customers"]
    wallets = world.refs.get("wallets", [])
    refund_usd = states.REFUND_DUAL_APPROVAL_THRESHOLD.format(currency="USD")
    wallet_eur = states.WALLET_DUAL_APPROVAL_THRESHOLD.format(currency="EUR")

    def setting(key, before, after):
        return ("shopping_mall_configurations", configs[key]["id"],
                {"key": key, "scope": None, "before": {"value": before},
                 "after": {"value": after}})  # fmt: skip

    flags = {row["code"]: row for row in world.rows["shopping_mall_feature_flags"]}

    def flag_change(code, field, before, after):
        row = flags[code]
        return ("shopping_mall_feature_flags", row["id"],
                {"code": code, "version": 1, "before": {field: before}, "after": {field: after},
                 "labels": {field: "Rollout"}})  # fmt: skip

    def seller(index):
        if not active:
            return ("shopping_mall_sellers", None, {"after": {"state": "suspended"}})
        row = active[index % len(active)]
        return ("shopping_mall_sellers", row["id"],
                {"before": {"state": "active"}, "after": {"state": "suspended"},
                 "seller": row["name"]})  # fmt: skip

    def role_grant(email, role):
        return ("shopping_mall_users", staff[email],
                {"before": {"roles": "Support"}, "after": {"roles": f"Support, {role}"},
                 "role": role.lower().replace(" ", "_") + "_manager"})  # fmt: skip

    def credit(index, amount):
        if not wallets:
            return ("shopping_mall_user_balances", None, {"after": {"balance_change": amount}})
        wallet = wallets[index % len(wallets)]
        new = wallet["balance"] + Decimal(amount)
        return ("shopping_mall_user_balances", wallet["id"],
                {"before": {"balance": str(wallet["balance"])},
                 "after": {"adjustment": f"+{amount}", "balance": str(new)},
                 "amount": amount, "currency": "USD", "reason": "goodwill credit",
                 "labels": {"adjustment": "Adjustment", "balance": "Store credit"},
                 "amounts": ["adjustment", "balance"]})  # fmt: skip

    def erase(index):
        customer = customers[index % len(customers)]
        return ("shopping_mall_users", customer["id"],
                {"before": {"personal_data": "Kept"},
                 "after": {"personal_data": "Erased (orders kept, anonymized)"}})  # fmt: skip

    permission_admin, permission_finance = "approvals.admin", "approvals.finance"
    # (status, action, requester, decider, target, justification, cancel reason)
    seeded = [
        ("pending", "change_configuration", admin, admin2,
         setting(refund_usd, str(REFUND_DUAL_APPROVAL_USD), "300.00"),
         "Raise the refund threshold for the Q4 peak", None),
        ("pending", "change_configuration", admin2, admin,
         setting(wallet_eur, "100.00", "150.00"),
         "Match the EUR store-credit threshold to the USD one", None),
        ("pending", "change_flag", admin2, admin, flag_change("payouts.instant",
         "rollout_percentage", 10, 25), "The US pilot went well: widen instant payouts to 25%",
         None),
        ("pending", "suspend_seller", admin, admin2, seller(0),
         "Chargeback ratio above 2% for 3 months", None),
        ("pending", "grant_role", admin2, admin, role_grant("support2@demo.mall", "Finance"),
         "New finance colleague needs access", None),
        ("pending", "wallet_adjustment", finance, finance2, credit(0, "25.00"),
         "Goodwill credit after a lost parcel", None),
        ("pending", "purge_customer_data", admin, admin2, erase(0),
         "Erasure request under GDPR art. 17", None),
        ("approved", "suspend_seller", admin2, admin, seller(1),
         "Repeated counterfeit reports", None),
        ("rejected", "grant_role", admin, admin2, role_grant("support@demo.mall", "Operations"),
         "Covering the warehouse team during holidays", None),
        ("executed", "change_configuration", admin, admin2,
         setting(states.PAYOUT_SETTLEMENT_DELAY_DAYS, "5", str(SETTLEMENT_DELAY_DAYS)),
         "Longer settlement delay to cover returns", None),
        ("canceled", "wallet_adjustment", finance2, finance, credit(1, "40.00"),
         "Compensation for a late delivery", "withdrawn"),
        ("canceled", "change_configuration", admin2, admin,
         setting(states.MODERATION_CLAIM_BATCH_SIZE, str(states.DEFAULT_CLAIM_BATCH_SIZE), "20"),
         "Bigger batches for the review backlog", "expired"),
    ]  # fmt: skip
    # Larger worlds: more history, all of it closed.
    for n in range(world.count(10, minimum=len(seeded)) - len(seeded)):
        status = world.pick(("rejected", "canceled"))
        seeded.append(
            (status, "purge_customer_data", admin if n % 2 else admin2, admin2 if n % 2 else admin,
             erase(n + 1), "Erasure request under GDPR art. 17",
             "withdrawn" if status == "canceled" else None)
        )  # fmt: skip
    for n, (status, name, requester, decider, target, justification, cancel) in enumerate(seeded):
        table, target_id, payload = target
        permission = permission_finance if name == "wallet_adjustment" else permission_admin
        if status == "pending":
            requested = world.ago(hours=world.rng.uniform(1, 40))
        else:
            requested = world.ago(days=world.rng.uniform(4, 20))
        expires = requested + timedelta(hours=states.DEFAULT_APPROVALS_EXPIRY_HOURS)
        decided = (
            expires
            if cancel == "expired"
            else world.after(requested, hours=8)
            if status != "pending"
            else None
        )
        action = world.add(
            "shopping_mall_admin_actions",
            at=requested,
            updated_at=decided or requested,
            requested_by_user_id=requester,
            performed_by_user_id=decider if status == "executed" else None,
            idempotency_key=f"admin-action-{n + 1:04d}",
            action_name=name,
            target_entity_table=table,
            target_entity_id=target_id,
            status=status,
            justification=justification,
            rejection_reason="Not enough evidence yet" if status == "rejected" else None,
            scheduled_at=None,
            executed_at=decided if status == "executed" else None,
            payload=payload,
            revision=1,
            approvals_needed=1,
            approver_permission=permission,
            expires_at=expires,
            cancel_reason=cancel,
        )
        requested_audit(world, action, requester, requested)
        # Approved by a second person, then carried out (by that person) as a step of its
        # own; the requester withdraws a canceled one, the system expires one.
        path = {"pending": [], "executed": ["pending", "approved", "executed"]}.get(
            status, ["pending", status]
        )
        actor = {"canceled": None if cancel == "expired" else requester}.get(status, decider)
        times = audit_walk(
            world,
            table="shopping_mall_admin_actions",
            entity_id=action["id"],
            column="status",
            path=path,
            actors=[actor] * max(0, len(path) - 1),
            action="admin_action",
            start=requested,
            end=decided or requested,
            admin_action_id=action["id"],
        )
        if status == "executed" and name == "change_configuration":
            audit(
                world,
                actor=decider,
                table="shopping_mall_configurations",
                entity_id=target_id,
                action="configuration.changed",
                at=times[-1],
                before=payload["before"],
                after=payload["after"],
                reason=justification,
                summary=f"Set {payload['key']} to {payload['after']['value']} (approved request)",
                admin_action_id=action["id"],
            )
        if status in ("approved", "rejected", "executed"):
            decision_given(world, action, requester, decider, times[0])


def _staff_history(world: World, admin: str) -> None:
    staff = world.refs["staff"]
    for email, status in (("suspended@demo.mall", "suspended"), ("former@demo.mall", "terminated")):
        audit(
            world,
            actor=admin,
            table="shopping_mall_users",
            entity_id=staff[email],
            action=f"staff.{status}",
            at=world.ago(days=30),
            before={"status": "active"},
            after={"status": status},
        )
    ops = staff["ops@demo.mall"]
    for seller in world.refs["sellers"]:
        if seller["state"] in ("active", "suspended", "terminated"):
            audit(
                world,
                actor=ops,
                table="shopping_mall_sellers",
                entity_id=seller["id"],
                action="seller.verification_approved",
                at=world.ago(days=190),
                before={"state": "pending_verification"},
                after={"state": "active"},
            )
        if seller["state"] in ("suspended", "terminated"):
            audit(
                world,
                actor=ops,
                table="shopping_mall_sellers",
                entity_id=seller["id"],
                action=f"seller.{seller['state']}",
                at=world.ago(days=20),
                before={"state": "active"},
                after={"state": seller["state"]},
            )
