"""``/api/``: the JSON routes other services call, guarded by a bearer token
(``FLAG_API_TOKENS``), not by a staff sign-in; no cookies, so no CSRF token either."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from mallconsole.extensions import csrf, db
from mallconsole.models import utcnow
from mallconsole.services.admin import flags
from mallconsole.web.security import bearer_token_accepted

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)


def _refused():
    response = jsonify(error="Unauthorized", message="Send Authorization: Bearer <token>.")
    response.status_code = 401
    response.headers["WWW-Authenticate"] = 'Bearer realm="flags"'
    return response


@bp.get("/flags/<code>/evaluate")
def flag_evaluate(code):
    """``?subject=<id>&<attribute>=<value>…`` → ``{"flag", "enabled", "reason"}``."""
    if not bearer_token_accepted("FLAG_API_TOKENS"):
        return _refused()
    # 404 (JSON) for a code no flag ever had; an archived flag is known and off for everyone,
    # so a caller falling back to its own default on a 404 never switches it back on.
    flag = flags.get_any_flag(db.session, code)
    attributes = {k: v for k, v in request.args.items() if k != "subject"}
    result = flags.evaluate(flag, request.args.get("subject"), attributes, utcnow())
    return jsonify(flag=flag.code, enabled=result.enabled, reason=result.reason)
