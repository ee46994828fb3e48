"""Customer 360 (``/support/customers/<id>``): the profile with personal data masked, the
reveal for a reason (audited), the orders list, wallet, coupons, reviews and other cases."""

from __future__ import annotations

from flask_login import current_user

from mallconsole.core.roles import Permission
from mallconsole.extensions import db
from mallconsole.services.customers import customer_view
from mallconsole.support import bp
from mallconsole.support.forms import CustomerOrderFilters, RevealForm
from mallconsole.web.authz import require
from mallconsole.web.htmx import render
from mallconsole.web.lists import read_listing
from mallconsole.web.refusals import refusals, validated
from mallconsole.web.security import forget_oversized


def _listing(customer_id):
    return read_listing(
        CustomerOrderFilters,
        sorts=customer_view.ORDER_SORTS,
        default_sort="-placed",
        id_column=customer_view.ORDER_ID,
    )


def _customer_page(customer_id, *, form=None, revealed=None, status=200, block="listing"):
    profile = customer_view.load(db.session, customer_id)
    listing = _listing(customer_id)
    page = customer_view.order_page(
        db.session,
        profile.user.id,
        listing.ordering,
        cursor=listing.cursor,
        limit=listing.limit,
        status=listing.filters.get("status"),
    )
    return render(
        "support/customers/detail.html",
        block=block,
        status=status,
        profile=profile,
        listing=listing,
        page=page,
        count=customer_view.count_orders(
            db.session, profile.user.id, status=listing.filters.get("status")
        ),
        form=form or RevealForm(),
        revealed=revealed,
    )


@bp.get("/customers/<customer_id>")
@require(Permission.CUSTOMERS_VIEW)
def customer_detail(customer_id):
    """A customer's profile (masked), orders, wallet, coupons, reviews and cases."""
    return _customer_page(customer_id)


@bp.post("/customers/<customer_id>/reveal")
@require(Permission.CUSTOMERS_REVEAL)
def customer_reveal(customer_id):
    """Show the customer's contact details for a reason; the reading is audited."""
    form = RevealForm()

    def page(refusal):
        forget_oversized(form)
        return _customer_page(customer_id, form=form, status=refusal.status, block="contact")

    with refusals(page, form):
        validated(form)
        revealed = customer_view.reveal(
            db.session, customer_id, reason=form.reason.data, actor=current_user.user
        )
    return _customer_page(customer_id, revealed=revealed, block="contact")
