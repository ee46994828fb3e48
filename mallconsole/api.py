"""``/api/``: the JSON routes other services call, guarded by a bearer token
(``FLAG_API_TOKENS``), not by a staff sign-in; no cookies, so no CSRF token either."""

from __future__ import annotations

import hmac

from flask import Blueprint, current_app, jsonify, request

from mallconsole.extensions import csrf, db
from mallconsole.models import utcnow
from mallconsole.services.admin import flags

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)


def _token_accepted() -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    given = token.strip().encode()
    accepted = current_app.config.get("FLAG_API_TOKENS") or []
    # Compare with every token (constant time each), so timing says nothing about which.
    return any([hmac.compare_digest(given, t.encode()) for t in accepted])


def _refused():
    response = jsonify(error="Unauthorized", message="Send Authorization: Bearer <token>.")
    response.status_code = 401
    response.headers["WWW-Authenticate"] = 'Bearer realm="flags"'
    return response


@bp.get("/flags/<code>/evaluate")
def flag_evaluate(code):
    """``?subject=<id>&<attribute>=<value>…`` → ``{"flag", "enabled", "reason"}``."""
    if not _token_accepted():
        return _refused()
    # 404 (JSON) for a code no flag ever had; an archived flag is known and off for everyone,
    # so a caller falling back to its own default on a 404 never switches it back on.
    flag = flags.get_any_flag(db.session, code)
    attributes = {k: v for k, v in request.args.items() if k != "subject"}
    result = flags.evaluate(flag, request.args.get("subject"), attributes, utcnow())
    return jsonify(flag=flag.code, enabled=result.enabled, reason=result.reason)
