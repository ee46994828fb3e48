"""The payment gateway as refund execution sees it: one small interface, one simulated adapter.

``PaymentProvider.refund`` asks the gateway to give ``amount`` back on a capture and answers
what the gateway said: its reference for the refund, the refund's status (``succeeded`` or
``failed``) and the id of the event it reported. The call carries an idempotency key: a
gateway answers a repeated key with the refund it already made, never a second one.

``SimulatedProvider`` stands in for the real gateway (no network): it succeeds at once, and its
references are derived from the idempotency key, so a repeat gives the same answer. An app
that talks to a real gateway puts its adapter in ``app.extensions["payment_provider"]``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from flask import current_app, has_app_context

SUCCEEDED = "succeeded"
FAILED = "failed"


@dataclass(frozen=True)
class ProviderRefund:
    """The gateway's answer to a refund."""

    reference: str
    status: str  # succeeded | failed
    event_id: str
    failure_category: str | None = None


class PaymentProvider(Protocol):
    """What refund execution needs of a payment gateway."""

    name: str

    def refund(
        self,
        *,
        capture_reference: str | None,
        amount: Decimal,
        currency: str,
        idempotency_key: str,
    ) -> ProviderRefund: ...


class SimulatedProvider:
    """A gateway that refunds at once and answers a repeated key with the same refund."""

    name = "simulated"

    def refund(self, *, capture_reference, amount, currency, idempotency_key) -> ProviderRefund:
        if not isinstance(amount, Decimal) or amount <= 0:
            return ProviderRefund("", FAILED, "", failure_category="invalid_amount")
        digest = hashlib.sha256(idempotency_key.encode()).hexdigest()
        return ProviderRefund(f"re_{digest[:24]}", SUCCEEDED, f"evt_{digest[24:48]}")


def current_provider() -> PaymentProvider:
    """The app's gateway adapter, or the simulated one."""
    if has_app_context():
        adapter = current_app.extensions.get("payment_provider")
        if adapter is not None:
            return adapter
    return SimulatedProvider()
