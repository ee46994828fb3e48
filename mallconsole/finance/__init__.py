"""The finance console (``/finance/``). Finance managers: refunds and payouts."""

from mallconsole.core.roles import Permission, Role
from mallconsole.web.authz import role_blueprint

bp = role_blueprint(Role.FINANCE_MANAGER, __name__)

from mallconsole.finance import (  # noqa: E402, F401  (the modules register the routes)
    chargebacks,
    exports,
    ledgers,
    orders,
    payouts,
    refunds,
    views,
    wallets,
)
from mallconsole.web.templating import add_area_link  # noqa: E402

add_area_link(bp, "Ledgers", "ledger_list", Permission.PAYOUTS_VIEW, also=("ledger_detail",),
              position=30)  # fmt: skip
add_area_link(bp, "Payouts", "payout_list", Permission.PAYOUTS_VIEW, also=("payout_detail",),
              position=40)  # fmt: skip
add_area_link(bp, "Chargebacks", "chargeback_list", Permission.PAYOUTS_VIEW,
              also=("chargeback_detail",), position=50)  # fmt: skip
add_area_link(bp, "Fees", "fee_list", Permission.PAYOUTS_VIEW, position=55)
add_area_link(bp, "Payout accounts", "payout_account_list", Permission.PAYOUTS_VIEW, position=60)
add_area_link(bp, "Exports", "export_list", Permission.FINANCE_EXPORT, position=70)
