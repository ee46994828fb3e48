"""The support console (``/support/``). Support agents: customer cases."""

from mallconsole.core.roles import Role
from mallconsole.web.authz import role_blueprint

bp = role_blueprint(Role.SUPPORT_AGENT, __name__)

# The modules below register the routes (cases, customers, requests raised for them).
from mallconsole.support import cases, customers, orders, queues, requests, views  # noqa: E402, F401
from mallconsole.web.templating import add_area_link  # noqa: E402

add_area_link(bp, "Cases", "case_list", also=("case_detail", "new_case"), position=10)
add_area_link(bp, "Canned replies", "canned_replies", also=("canned_reply_edit",), position=20)
