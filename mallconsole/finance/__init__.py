"""The finance console (``/finance/``). Finance managers: refunds and payouts."""

from ..authz import Role, role_blueprint

bp = role_blueprint(Role.FINANCE_MANAGER, __name__)

from . import refunds, views  # noqa: E402, F401  (registers the routes and the refund executor)
