"""The support console (``/support/``). Support agents: customer cases."""

from ..authz import Role, role_blueprint

bp = role_blueprint(Role.SUPPORT_AGENT, __name__)

# The modules below register the routes (cases, customers, requests raised for them).
from . import (  # noqa: E402, F401
    cases,
    customers,
    orders,
    queues,
    requests,
    views,
)
