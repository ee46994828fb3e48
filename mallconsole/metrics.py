"""``GET /metrics``: Prometheus's text format, for a request carrying a bearer token of
``METRICS_TOKENS``, or any request on the listener ``METRICS_BIND`` names (a port only the
monitoring network reaches; nothing else of the console answers there). Never public."""

from __future__ import annotations

from flask import Blueprint, abort, make_response, request

from mallconsole.extensions import csrf, db
from mallconsole.services.kit import metrics
from mallconsole.web.authz import public
from mallconsole.web.metrics import on_metrics_bind
from mallconsole.web.security import bearer_token_accepted

bp = Blueprint("metrics", __name__)
csrf.exempt(bp)


@bp.before_app_request
def only_metrics_on_the_metrics_bind():
    """The metrics listener answers ``/metrics`` and nothing else."""
    if on_metrics_bind() and request.path != "/metrics":
        abort(404)


@bp.get("/metrics")
@public
def metrics_exposition():
    """The console's metrics; 401 without a token of ``METRICS_TOKENS`` (or the metrics bind)."""
    if not (on_metrics_bind() or bearer_token_accepted("METRICS_TOKENS")):
        response = make_response("Send Authorization: Bearer <token>.\n", 401)
        response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        response.mimetype = "text/plain"
        return response
    body, content_type = metrics.exposition(db.session)
    response = make_response(body)
    response.headers["Content-Type"] = content_type
    response.headers["Cache-Control"] = "no-store"
    return response
