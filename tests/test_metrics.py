"""``/metrics``: Prometheus's text format for a bearer token of ``METRICS_TOKENS`` or on the
``METRICS_BIND`` listener, 401 otherwise; requests are timed and their SQL statements counted,
job runs counted, and the outbox's queue and the claims held read at the scrape."""

import pytest

from mallconsole import create_app
from mallconsole.services import jobs
from mallconsole.services.kit import metrics


@pytest.fixture
def scraped(app, session):
    app.config["METRICS_TOKENS"] = ["scrape-token"]
    yield app.test_client()
    app.config["METRICS_TOKENS"] = []


def _scrape(client):
    return client.get("/metrics", headers={"Authorization": "Bearer scrape-token"})


def test_without_a_token_metrics_answer_401(scraped):
    assert scraped.get("/metrics").status_code == 401
    wrong = scraped.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and "Bearer" in wrong.headers["WWW-Authenticate"]


def test_with_a_token_requests_statements_and_database_figures_are_shown(scraped):
    scraped.get("/healthz")
    response = _scrape(scraped)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    text = response.text
    assert (
        'mallconsole_request_seconds_count{endpoint="health.healthz",method="GET",status="200"}'
        in text
    )
    assert 'mallconsole_request_sql_statements_bucket{endpoint="health.healthz",le="1.0"}' in text
    assert 'mallconsole_outbox_messages{state="queued"}' in text
    assert "mallconsole_claims_held" in text


def test_job_runs_are_counted_by_result(scraped):
    before = metrics.JOB_RUNS.labels(job="expire-claims", result="succeeded")._value.get()
    jobs.run_job("expire-claims", trigger="manual")
    after = metrics.JOB_RUNS.labels(job="expire-claims", result="succeeded")._value.get()
    assert after == before + 1
    assert (
        'mallconsole_job_runs_total{job="expire-claims",result="succeeded"}'
        in _scrape(scraped).text
    )


def test_the_metrics_bind_answers_metrics_without_a_token_and_nothing_else(app):
    probe = create_app(
        {
            "CONFIG_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "x",
            "METRICS_BIND": "127.0.0.1:9100",
        }
    )
    client = probe.test_client()
    on_bind = {"SERVER_NAME": "127.0.0.1", "SERVER_PORT": "9100"}
    assert client.get("/metrics", environ_overrides=on_bind).status_code == 200
    assert client.get("/login", environ_overrides=on_bind).status_code == 404
    assert client.get("/metrics").status_code == 401  # the public listener needs a token
