"""What the console counts for Prometheus: requests, SQL statements per request, job runs.

The metrics live in this process, or, under gunicorn with ``PROMETHEUS_MULTIPROC_DIR`` set
(``gunicorn.conf.py`` sets it), in files every worker writes and the scrape adds up. Database
figures (the outbox's queue, the claims held) are read at the scrape (``database_figures``).
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from mallconsole.models import Claim, OutboundMessage, utcnow

# The console's own metrics (not the client library's process and platform collectors).
OWN = CollectorRegistry()
# A list page's target is 50 ms at the 95th percentile: buckets around it.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
STATEMENT_BUCKETS = (1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 50, 100)

REQUEST_SECONDS = Histogram(
    "mallconsole_request_seconds",
    "Time to answer a request, by endpoint and status",
    ["endpoint", "method", "status"],
    buckets=LATENCY_BUCKETS,
    registry=OWN,
)
REQUEST_STATEMENTS = Histogram(
    "mallconsole_request_sql_statements",
    "SQL statements a request ran, by endpoint",
    ["endpoint"],
    buckets=STATEMENT_BUCKETS,
    registry=OWN,
)
JOB_RUNS = Counter(
    "mallconsole_job_runs", "Job runs finished, by job and result", ["job", "result"], registry=OWN
)
JOB_SECONDS = Histogram(
    "mallconsole_job_run_seconds",
    "Time a job run took, by job",
    ["job"],
    buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600),
    registry=OWN,
)


def record_job_run(job: str, result: str, seconds: float | None) -> None:
    """Count a finished run of ``job``."""
    JOB_RUNS.labels(job=job, result=result).inc()
    if seconds is not None:
        JOB_SECONDS.labels(job=job).observe(seconds)


class DatabaseFigures:
    """The outbox's queue and the claims held, read when Prometheus scrapes."""

    def __init__(self, session):
        self.session = session

    def collect(self):
        depth = GaugeMetricFamily(
            "mallconsole_outbox_messages", "Outbound messages by state", labels=["state"]
        )
        rows = self.session.execute(
            select(OutboundMessage.status, func.count())
            .where(OutboundMessage.status.in_(("queued", "sending", "failed")))
            .group_by(OutboundMessage.status)
        ).all()
        found = dict(rows)
        for state in ("queued", "sending", "failed"):
            depth.add_metric([state], found.get(state, 0))
        yield depth
        claims = GaugeMetricFamily(
            "mallconsole_claims_held", "Live claims by queue", labels=["queue"]
        )
        for queue, count in self.session.execute(
            select(Claim.queue, func.count())
            .where(Claim.expires_at > utcnow())
            .group_by(Claim.queue)
        ).all():
            claims.add_metric([queue], count)
        yield claims


def exposition(session) -> tuple[bytes, str]:
    """The metrics in Prometheus's text format, and its content type: every worker's (added up
    from their files under gunicorn) and the database figures."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        from prometheus_client import multiprocess

        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes, path=directory)
    else:
        processes = OWN
    figures = CollectorRegistry()
    figures.register(DatabaseFigures(session))
    return generate_latest(processes) + generate_latest(figures), CONTENT_TYPE_LATEST
