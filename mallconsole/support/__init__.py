"""The support console (``/support/``). Support agents: customer cases."""

from ..authz import Role, role_blueprint

bp = role_blueprint(Role.SUPPORT_AGENT, __name__)

from . import views  # noqa: E402, F401, I001  (registers the routes)
from . import customers, orders  # noqa: E402, F401  (customer 360 and the order screen)
