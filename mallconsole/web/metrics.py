"""Request metrics for Prometheus: each request's time and SQL statements, by endpoint.

``install(app)`` times every request and counts the statements it runs (an engine event), into
``services/kit/metrics.py``'s histograms. ``/metrics`` itself is ``mallconsole/metrics.py``.
"""

from __future__ import annotations

import time

from flask import g, has_request_context, request
from sqlalchemy import event

from mallconsole.extensions import db
from mallconsole.services.kit import metrics


def _count_statement(*_args) -> None:
    if has_request_context():
        g.sql_statements = g.get("sql_statements", 0) + 1


def on_metrics_bind() -> bool:
    """Whether this request came in on the listener ``METRICS_BIND`` names (gunicorn puts the
    listener's address in ``SERVER_NAME`` and ``SERVER_PORT``)."""
    from flask import current_app

    bind = current_app.config.get("METRICS_BIND")
    if not bind:
        return False
    host, _, port = bind.rpartition(":")
    return (request.environ.get("SERVER_NAME"), request.environ.get("SERVER_PORT")) == (
        host.strip("[]"),
        port,
    )


def install(app) -> None:
    """Time every request of ``app`` and count its SQL statements."""
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", _count_statement)

    @app.before_request
    def start_timing():
        g.request_started = time.perf_counter()
        g.sql_statements = 0

    @app.after_request
    def record_request(response):
        started = g.pop("request_started", None)
        if started is not None:
            endpoint = request.endpoint or "unmatched"
            metrics.REQUEST_SECONDS.labels(
                endpoint=endpoint, method=request.method, status=str(response.status_code)
            ).observe(time.perf_counter() - started)
            metrics.REQUEST_STATEMENTS.labels(endpoint=endpoint).observe(g.pop("sql_statements", 0))
        return response
