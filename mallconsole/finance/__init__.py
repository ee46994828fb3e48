"""The finance console (``/finance/``). Finance managers: refunds and payouts."""

from ..authz import Role, role_blueprint

bp = role_blueprint(Role.FINANCE_MANAGER, __name__)

from . import views, wallets  # noqa: E402, F401  (registers the routes)
