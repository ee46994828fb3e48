"""Forms of the finance console: list filters and the forms of refunds, ledgers, reserves,
payouts, chargebacks, exports and store credit."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional
from wtforms.validators import ValidationError as FieldError

from mallconsole.core import states
from mallconsole.core.money import CURRENCIES
from mallconsole.services.aftersales import refund_queue
from mallconsole.services.money import (
    chargebacks,
    finance_exports,
    ledger,
    payout_accounts,
    payouts,
    reserves,
    wallet_adjustments,
)
from mallconsole.web.forms import check_filter_amount, check_store_words, last_day_after_first
from mallconsole.web.lists import ListFilters

# --- refund requests ------------------------------------------------------------------------------


def _words(values) -> dict:
    return {v: v.replace("_", " ").capitalize() for v in values}


class RefundFilters(ListFilters):
    """Filters of the refund queue; ``tab`` (the state) travels along as a hidden field."""

    tab = HiddenField(default="pending")
    min_amount = StringField("Amount from", description="Requested amount, at least")
    max_amount = StringField("Amount up to", description="Requested amount, at most")
    currency = SelectField(
        "Currency", choices={"": "Any currency", **{c: c for c in CURRENCIES}}, default=""
    )
    reason = SelectField(
        "Reason", choices={"": "Any reason", **_words(states.REFUND_REASONS)}, default=""
    )
    age = SelectField(
        "Age",
        choices={"": "Any age", **{k: words for k, (words, _) in refund_queue.AGES.items()}},
        default="",
    )
    store = StringField("Store", description="A store's name or code")

    def validate_store(self, field):
        check_store_words(field)

    def validate_tab(self, field):
        if field.data not in refund_queue.TAB_KEYS:
            raise FieldError("Choose one of the tabs.")

    def validate_min_amount(self, field):
        check_filter_amount(field)

    def validate_max_amount(self, field):
        check_filter_amount(field)


class ApproveForm(FlaskForm):
    amount = StringField("Amount to refund")
    note = TextAreaField("Note (optional)", render_kw={"rows": 2})
    version = HiddenField()


class RejectForm(FlaskForm):
    reason = TextAreaField(
        "Why is it rejected?", render_kw={"rows": 2},
        description="The agent sees it on the case, and tells the customer.",
    )  # fmt: skip
    version = HiddenField()


class AmountForm(FlaskForm):
    amount = StringField("New amount")
    version = HiddenField()


class ExecuteForm(FlaskForm):
    destination = RadioField(
        "Where the money goes",
        choices={
            "payment": "Back to the original payment",
            "wallet": "To the customer's store credit",
        },
        default="payment",
    )


# --- seller ledgers and reserves ------------------------------------------------------------------


class SellerFilters(ListFilters):
    q = StringField("Seller", description="Name or seller code")
    state = SelectField(
        "Seller state",
        choices={
            "": "Any state",
            **{s: states.label(states.SELLER_MACHINE, s) for s in states.SELLER},
        },
        default="",
    )


class EntryFilters(ListFilters):
    currency = HiddenField()
    entry_type = SelectField("Type", choices={"": "Any type", **ledger.ENTRY_LABELS}, default="")
    source_type = SelectField(
        "Source", choices={"": "Any source", **ledger.SOURCE_LABELS}, default=""
    )
    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])

    def validate_until(self, field):
        last_day_after_first(self.since, field)


class ComposeForm(FlaskForm):
    """Compose a payout for one seller: currency and (optionally) the period."""

    currency = HiddenField()
    # The days are the reader's (the template says which zone): see ``web.forms.with_periods``.
    period_start = DateField("Period from", validators=[Optional()])
    period_end = DateField("Period to", validators=[Optional()])
    note = StringField("Note (optional)")


class ReserveForm(FlaskForm):
    """Place a reserve on a seller."""

    currency = HiddenField()
    reserve_type = SelectField("Kind", choices=reserves.TYPE_LABELS, default="case_hold")
    amount = StringField("Amount to hold now", description="Leave empty for a percentage only.")
    percent = StringField(
        "Percent of each payout's sales", description="Rolling reserves only, e.g. 10"
    )
    reason = StringField("Reason", description="Why the money is held, in a sentence.")
    policy_reference = StringField("Policy reference", description="e.g. risk.reserve.rolling_10")
    release_at = DateField("Release on (optional)", validators=[Optional()])


class ReleaseForm(FlaskForm):
    amount = StringField("Amount", description="Leave empty to release all it holds.")
    reason = TextAreaField("Reason", render_kw={"rows": 2})


# --- payouts --------------------------------------------------------------------------------------


class PayoutFilters(ListFilters):
    q = StringField("Search", description="PO number or seller name")
    status = SelectField(
        "State",
        choices={"": "Any state", **{s: states.label(payouts.MACHINE, s) for s in states.PAYOUT}},
        default="",
    )
    currency = SelectField(
        "Currency", choices={"": "Any currency", **{c: c for c in CURRENCIES}}, default=""
    )
    seller = HiddenField()
    since = DateField("Composed from", validators=[Optional()])
    until = DateField("Composed to", validators=[Optional()])

    def validate_until(self, field):
        last_day_after_first(self.since, field)


# --- chargebacks and payout accounts --------------------------------------------------------------


class ChargebackFilters(ListFilters):
    status = SelectField(
        "State",
        choices={
            "": "Waiting for a decision",
            **{s: states.label(chargebacks.MACHINE, s) for s in states.CHARGEBACK},
            "all": "Any state",
        },
        default="",
    )
    reason = SelectField(
        "Reason", choices={"": "Any reason", **chargebacks.REASON_LABELS}, default=""
    )
    seller = HiddenField()


class AccountFilters(ListFilters):
    status = SelectField(
        "State",
        choices=payout_accounts.FILTER_CHOICES,
        default="",
    )


# --- exports and fees -----------------------------------------------------------------------------


class PeriodFilters(ListFilters):
    currency = SelectField(
        "Currency", choices={"": "Any currency", **{c: c for c in CURRENCIES}}, default=""
    )
    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])

    def validate_until(self, field):
        last_day_after_first(self.since, field)


class FeeFilters(PeriodFilters):
    q = StringField("Seller", description="Name or seller code")
    fee_type = SelectField(
        "Kind",
        choices={"": "Any kind", **{t: finance_exports.FEE_LABELS[t] for t in states.FEE_TYPES}},
        default="",
    )
    seller = HiddenField()


# --- store credit ---------------------------------------------------------------------------------


class AdjustmentForm(FlaskForm):
    """A manual adjustment of one wallet; the balance seen travels with it (stale check)."""

    direction = RadioField(
        "Adjustment",
        choices=dict(wallet_adjustments.DIRECTIONS),
        default="credit",
        validate_choice=False,  # the service says what is wrong, next to the field
    )
    amount = StringField("Amount", description="A positive amount in the wallet's currency.")
    reason = TextAreaField(
        "Reason",
        description="Required. What happened, and the case or order it is for. Kept in the "
        "wallet's records and the audit trail.",
    )
    expected_balance = HiddenField()
    idempotency_key = HiddenField()


class RecordFilters(ListFilters):
    """A wallet's records have no filters: newest first, keyset pages."""
