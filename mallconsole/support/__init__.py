"""The support console (``/support/``). Support agents: customer cases."""

from ..authz import Role, role_blueprint

bp = role_blueprint(Role.SUPPORT_AGENT, __name__)

# The modules below register the routes (cases, customers, requests raised for them).
from ..templating import add_area_link  # noqa: E402
from . import (  # noqa: E402, F401
    cases,
    customers,
    orders,
    queues,
    requests,
    views,
)

add_area_link(bp, "Cases", "case_list", also=("case_detail", "new_case"), position=10)
add_area_link(bp, "Canned replies", "canned_replies", also=("canned_reply_edit",), position=20)
