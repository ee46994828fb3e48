"""The states of docs/contract.md's state machines and the shared configuration keys, defined once.

Services (and the demo world) import these tuples instead of spelling state names again.
"""

from __future__ import annotations

SUPPORT_CASE = ("open", "pending", "on_hold", "resolved", "closed")
SUPPORT_CASE_OPEN = ("open", "pending", "on_hold")
REVIEW = ("pending", "approved", "rejected", "removed_user", "removed_moderator")
REVIEW_REPORT_DECISION = ("dismissed", "removed", "edited")
REFUND_REQUEST = (
    "pending",
    "pending_second_approval",
    "approved",
    "rejected",
    "executed",
    "canceled",
)
CANCELLATION_REQUEST = ("pending", "approved", "rejected", "withdrawn", "executed")
RETURN_REQUEST = ("pending", "approved", "rejected", "in_transit_back", "received", "closed")
ORDER = (
    "pending_payment",
    "pending_confirmation",
    "confirmed",
    "partially_shipped",
    "shipped",
    "partially_delivered",
    "delivered",
    "completed",
    "on_hold",
    "under_review",
    "canceled",
    "refunded",
)
PAYMENT = (
    "pending",
    "authorized",
    "captured",
    "partially_refunded",
    "refunded",
    "canceled",
    "failed",
)
SHIPMENT = (
    "ready_to_ship",
    "in_transit",
    "out_for_delivery",
    "delivery_attempted",
    "delivered",
    "exception",
    "return_to_sender",
    "returned",
)
INVENTORY_RESERVATION = ("active", "extended", "consumed", "released", "expired")
PAYOUT = ("scheduled", "processing", "paid", "failed", "canceled")
CHARGEBACK = ("open", "under_review", "won", "lost")
SELLER = ("draft", "pending_verification", "active", "suspended", "terminated")
SELLER_VERIFICATION = ("draft", "pending", "action_required", "approved", "rejected", "suspended")
PROMOTION = ("draft", "active", "paused", "expired", "archived")
COUPON = PROMOTION
ADMIN_ACTION = ("pending", "approved", "rejected", "executed", "canceled")
DATA_EXPORT = ("requested", "approved", "processing", "completed", "failed", "canceled")
STAFF_USER = ("active", "suspended", "terminated")

# Every state machine of the contract: (table, column, states).
STATE_COLUMNS = (
    ("shopping_mall_support_cases", "status", SUPPORT_CASE),
    ("shopping_mall_reviews", "state", REVIEW),
    ("shopping_mall_review_reports", "decision", REVIEW_REPORT_DECISION),
    ("shopping_mall_refund_requests", "status", REFUND_REQUEST),
    ("shopping_mall_cancellation_requests", "status", CANCELLATION_REQUEST),
    ("shopping_mall_return_requests", "status", RETURN_REQUEST),
    ("shopping_mall_orders", "status", ORDER),
    ("shopping_mall_payments", "status", PAYMENT),
    ("shopping_mall_shipments", "status", SHIPMENT),
    ("shopping_mall_inventory_reservations", "status", INVENTORY_RESERVATION),
    ("shopping_mall_payouts", "status", PAYOUT),
    ("shopping_mall_chargebacks", "status", CHARGEBACK),
    ("shopping_mall_sellers", "state", SELLER),
    ("shopping_mall_seller_verifications", "state", SELLER_VERIFICATION),
    ("shopping_mall_promotions", "status", PROMOTION),
    ("shopping_mall_coupons", "status", COUPON),
    ("shopping_mall_admin_actions", "status", ADMIN_ACTION),
    ("shopping_mall_data_exports", "status", DATA_EXPORT),
)

CASE_PRIORITIES = ("low", "normal", "high", "urgent")
CASE_CATEGORIES = (
    "order",
    "payment",
    "shipping",
    "return",
    "refund",
    "account",
    "product",
    "seller",
)
CASE_CHANNELS = ("email", "chat", "phone", "web")

# Configuration keys (shopping_mall_configurations.key).
REFUND_DUAL_APPROVAL_THRESHOLD = "finance.refund.dual_approval_threshold.{currency}"
PAYOUT_DUAL_APPROVAL_THRESHOLD = "finance.payout.dual_approval_threshold.{currency}"
WALLET_DUAL_APPROVAL_THRESHOLD = "finance.wallet.dual_approval_threshold.{currency}"
PAYOUT_SETTLEMENT_DELAY_DAYS = "finance.payout.settlement_delay_days"
SLA_FIRST_RESPONSE_HOURS = "support.sla.first_response_hours.{priority}"
MODERATION_CLAIM_BATCH_SIZE = "moderation.claim.batch_size"
MODERATION_CLAIM_MINUTES = "moderation.claim.minutes"

DEFAULT_SETTLEMENT_DELAY_DAYS = 7
DEFAULT_CLAIM_BATCH_SIZE = 10
DEFAULT_CLAIM_MINUTES = 10
# Approving a review records this reason code in its moderation row.
REVIEW_APPROVE_REASON = "meets_policy"

# Console working tables (revision 0004).
JOB_RUN = ("queued", "running", "succeeded", "failed", "skipped")
JOB_RUN_ACTIVE = ("queued", "running")
JOB_TRIGGERS = ("schedule", "manual", "command")
OUTBOUND_MESSAGE = ("queued", "sending", "sent", "failed")
