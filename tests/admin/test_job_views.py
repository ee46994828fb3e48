"""The admin Jobs screen: runs list (filters, pages, sort), run details, run now, schedules."""

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from mallconsole.core.roles import Role
from mallconsole.models import AuditEvent, JobRun, utcnow
from mallconsole.services import jobs
from tests.conftest import csrf_from
from tests.factories.actors import make_staff
from tests.query_counts import assert_constant_queries

HTMX = {"HX-Request": "true"}


def page_of(response):
    return BeautifulSoup(response.data, "html.parser")


def add_runs(session, count, *, job="refresh-ratings", status="succeeded", start=None):
    start = start or utcnow() - timedelta(days=1)
    runs = [
        JobRun(
            job_name=job,
            trigger="schedule",
            status=status,
            queued_at=start + timedelta(seconds=n),
            started_at=start + timedelta(seconds=n),
            finished_at=start + timedelta(seconds=n, milliseconds=400),
            counts={"products": n},
            error="TimeoutError: database busy" if status == "failed" else None,
        )
        for n in range(count)
    ]
    session.add_all(runs)
    session.flush()
    return runs


def listed_run_ids(page):
    return [tr["data-href"].rsplit("/", 1)[1] for tr in page.select("#listing tbody tr[data-href]")]


@pytest.fixture
def admin(login_as):
    return login_as(Role.SYSTEM_ADMIN)


def test_the_jobs_screen_lists_jobs_and_runs_newest_first(client, session, admin):
    runs = add_runs(session, 3)
    page = page_of(client.get("/admin/jobs"))
    assert page.find("h1").get_text() == "Background jobs"
    job_row = page.select_one('#jobs tr[data-job="refresh-ratings"]')
    assert "Refresh product ratings" in job_row.get_text() and "Every 15 min" in job_row.get_text()
    assert job_row.select_one("button").get_text().startswith("Run now")
    assert listed_run_ids(page) == [r.id for r in reversed(runs)]
    assert page.select_one("#listing .count").get_text() == "3"
    row = page.select_one("#listing tbody tr")
    assert "Succeeded" in row.get_text() and "Schedule" in row.get_text()
    assert "shopping_mall" not in page.get_text() and "succeeded" not in row.get_text()


def test_filters_live_in_the_url_and_narrow_the_list(client, session, admin):
    add_runs(session, 2)
    failed = add_runs(session, 1, status="failed")
    page = page_of(client.get("/admin/jobs?job=refresh-ratings&result=failed"))
    assert listed_run_ids(page) == [failed[0].id]
    assert page.select_one("select#result option[selected]")["value"] == "failed"
    assert "database busy" in page.select_one("#listing tbody").get_text()
    empty = page_of(client.get("/admin/jobs?result=skipped"))
    assert "No runs match these filters" in empty.select_one("#listing").get_text()


@pytest.mark.parametrize(
    "query",
    [
        "result=exploded",
        "job=no-such-job",
        "sort=password",
        "limit=7",
        "limit=abc",
        "after=not-a-cursor",
        "before=eyJvIjoiLXF1ZXVlZCJ9.forged",
    ],
)
def test_malformed_list_parameters_are_400_with_a_message(client, session, admin, query):
    response = client.get(f"/admin/jobs?{query}")
    assert response.status_code == 400
    text = page_of(response).get_text()
    assert "Traceback" not in text
    assert any(
        words in text for words in ("not valid", "Unknown sort", "Rows per page", "page link")
    )
    htmx = client.get(f"/admin/jobs?{query}", headers=HTMX)
    assert htmx.status_code == 400 and htmx.headers["HX-Retarget"] == "#messages"


def test_pages_go_forwards_and_back_through_every_run(client, session, admin):
    runs = add_runs(session, 60)
    newest_first = [r.id for r in reversed(runs)]
    first = page_of(client.get("/admin/jobs"))
    assert listed_run_ids(first) == newest_first[:50]
    assert first.select_one("#listing .pager a[rel=prev]") is None
    next_url = first.select_one("#listing .pager a[rel=next]")["href"]
    assert "after=" in next_url
    second = page_of(client.get(next_url))
    assert listed_run_ids(second) == newest_first[50:]
    assert second.select_one("#listing .pager a[rel=next]") is None
    back = page_of(client.get(second.select_one("#listing .pager a[rel=prev]")["href"]))
    assert listed_run_ids(back) == newest_first[:50]


def test_a_page_through_htmx_is_only_the_list_and_pushes_its_url(client, session, admin):
    add_runs(session, 30)
    page = page_of(client.get("/admin/jobs?limit=25"))
    link = page.select_one("#listing .pager a[rel=next]")
    assert link["hx-push-url"] == "true" and link["hx-target"] == "#listing"
    response = client.get(link["hx-get"], headers=HTMX)
    assert "HX-Request" in response.headers["Vary"]
    assert not response.data.lstrip().startswith(b"<!doctype")
    fragment = page_of(response)
    assert fragment.select_one("div#listing") is not None and len(listed_run_ids(fragment)) == 5


def test_sorting_by_a_header_keeps_the_filters(client, session, admin):
    add_runs(session, 3)
    page = page_of(client.get("/admin/jobs?job=refresh-ratings"))
    header = next(a for a in page.select("#listing th a.sort") if a.get_text().startswith("Job"))
    query = parse_qs(urlparse(header["href"]).query)
    assert query["job"] == ["refresh-ratings"] and query["sort"] == ["-job"]
    queued = page.select_one("#listing th[aria-sort]")
    assert queued["aria-sort"] == "descending" and "Queued" in queued.get_text()


def test_the_runs_list_runs_as_many_queries_for_100_rows_as_for_10(
    client, session, admin, count_queries
):
    def read(_size):
        response = client.get("/admin/jobs?limit=100")
        assert response.status_code == 200

    small, large = assert_constant_queries(count_queries, lambda n: add_runs(session, n), read)
    assert small == large


def test_run_details_say_what_happened(client, session, admin):
    (run,) = add_runs(session, 1, status="failed")
    page = page_of(client.get(f"/admin/jobs/runs/{run.id}"))
    assert page.find("h1").get_text() == "Refresh product ratings"
    assert "Failed" in page.select_one(".record-head").get_text()
    assert "TimeoutError: database busy" in page.get_text()
    assert "0.4 s" in page.get_text()
    assert client.get("/admin/jobs/runs/00000000-0000-0000-0000-000000000000").status_code == 404


def test_run_now_runs_the_job_and_shows_it_in_place(client, session, admin):
    token = csrf_from(client.get("/admin/jobs").data)
    response = client.post(
        "/admin/jobs/refresh-ratings/run", headers={**HTMX, "X-CSRFToken": token}
    )
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "runs-changed"
    page = page_of(response)
    assert page.select_one("section#jobs") is not None
    message = page.select_one("#messages[hx-swap-oob]").get_text()
    assert "a run was started" in message
    run = session.scalar(select(JobRun).where(JobRun.trigger == "manual"))
    assert run.status == "succeeded" and run.requested_by_user_id == admin.id
    audit = session.scalar(select(AuditEvent).where(AuditEvent.entity_id == run.id))
    assert audit.action == "job_run_requested"
    listed = page_of(client.get("/admin/jobs"))
    assert listed.select_one("#listing tbody tr .person")["title"] == admin.email


def test_run_now_is_refused_while_the_job_is_running(client, session, admin):
    session.add(
        JobRun(job_name="refresh-ratings", trigger="schedule", status="running", queued_at=utcnow())
    )
    session.flush()
    token = csrf_from(client.get("/admin/jobs").data)
    response = client.post(
        "/admin/jobs/refresh-ratings/run", headers={**HTMX, "X-CSRFToken": token}
    )
    assert response.status_code == 409
    assert b"already running" in response.data and b"a run was started" not in response.data
    assert session.scalar(select(JobRun).where(JobRun.trigger == "manual")) is None
    busy = page_of(client.get("/admin/jobs")).select_one('#jobs tr[data-job="refresh-ratings"]')
    assert busy.select_one("button").has_attr("disabled")


def test_other_roles_cannot_run_jobs(client, session, login_as):
    login_as(Role.SUPPORT_AGENT)
    token = csrf_from(client.get("/account").data)
    response = client.post("/admin/jobs/refresh-ratings/run", headers={"X-CSRFToken": token})
    assert response.status_code == 403
    assert session.scalar(select(JobRun)) is None


def post_schedule(client, data, **headers):
    token = csrf_from(client.get("/admin/jobs/refresh-ratings").data)
    return client.post(
        "/admin/jobs/refresh-ratings/schedule", data={**data, "csrf_token": token}, headers=headers
    )


def test_pausing_a_schedule_needs_a_reason_and_keeps_the_input(client, session, admin):
    response = post_schedule(client, {"action": "pause", "reason": "", "version": "1"})
    assert response.status_code == 422
    page = page_of(response)
    assert "Say why" in page.select_one(".error-summary").get_text()
    assert page.select_one("input[name=action]")["value"] == "pause"
    assert page.select_one("textarea[name=reason]") is not None


PAUSED_MESSAGE = (
    "Refresh product ratings: schedule paused. It will not run on its schedule until it is "
    "resumed; you can still run it now."
)
RESUMED_MESSAGE = "Refresh product ratings: schedule resumed. It runs every 15 min again."


def job_row_schedule(client):
    """The Schedule cell of the job's row on the Jobs list."""
    row = page_of(client.get("/admin/jobs")).select_one('#jobs tr[data-job="refresh-ratings"]')
    return row.select("td")[0].get_text(" ", strip=True)


def test_pausing_and_resuming_a_schedule_as_pages(client, session, admin):
    response = post_schedule(
        client, {"action": "pause", "reason": "Carrier outage", "version": "1"}
    )
    assert response.status_code == 302
    page = page_of(client.get("/admin/jobs/refresh-ratings"))
    assert page.select_one("#messages").get_text(strip=True) == PAUSED_MESSAGE
    assert page.select_one("#job-state").get_text(strip=True) == "Paused"
    assert "Carrier outage" in page.select_one("#schedule").get_text()
    assert page.select_one("#schedule button[type=submit]").get_text(strip=True) == (
        "Resume the schedule"
    )
    assert page.select_one("input[name=action]")["value"] == "resume"
    assert page.select_one("input[name=version]")["value"] == "2"
    timeline = page.select_one("#schedule .timeline")
    history = timeline.get_text()
    assert timeline.select_one(".actor .person")["title"] == admin.email
    assert admin.email not in history and "Job paused" in history
    assert job_row_schedule(client) == "Paused Carrier outage"

    resumed = post_schedule(client, {"action": "resume", "version": "2"})
    assert resumed.status_code == 302
    page = page_of(client.get("/admin/jobs/refresh-ratings"))
    assert page.select_one("#messages").get_text(strip=True) == RESUMED_MESSAGE
    assert page.select_one("#job-state").get_text(strip=True) == "Every 15 min"
    assert page.select_one("#schedule button[type=submit]").get_text(strip=True) == (
        "Pause the schedule"
    )
    assert jobs.job_status(session, "refresh-ratings").paused is False
    assert job_row_schedule(client) == "Every 15 min"


def test_pausing_and_resuming_a_schedule_in_place(client, session, admin):
    response = post_schedule(
        client, {"action": "pause", "reason": "Carrier outage", "version": "1"}, **HTMX
    )
    assert response.status_code == 200
    fragment = page_of(response)
    assert fragment.select_one("#messages").get_text(strip=True) == PAUSED_MESSAGE
    # the header's state label is swapped too, out of band, so the page says "Paused"
    state = fragment.select_one("#job-state")
    assert state["hx-swap-oob"] == "true" and state.get_text(strip=True) == "Paused"
    assert fragment.select_one("#schedule button[type=submit]").get_text(strip=True) == (
        "Resume the schedule"
    )
    assert fragment.select_one("input[name=version]")["value"] == "2"
    assert job_row_schedule(client) == "Paused Carrier outage"

    resumed = post_schedule(client, {"action": "resume", "version": "2"}, **HTMX)
    assert resumed.status_code == 200
    fragment = page_of(resumed)
    assert fragment.select_one("#messages").get_text(strip=True) == RESUMED_MESSAGE
    assert fragment.select_one("#job-state").get_text(strip=True) == "Every 15 min"
    assert fragment.select_one("#schedule button[type=submit]").get_text(strip=True) == (
        "Pause the schedule"
    )
    assert jobs.job_status(session, "refresh-ratings").paused is False
    assert job_row_schedule(client) == "Every 15 min"


def test_the_job_page_itself_has_one_state_label(client, session, admin):
    page = page_of(client.get("/admin/jobs/refresh-ratings"))
    states = page.select("#job-state")
    assert len(states) == 1 and not states[0].has_attr("hx-swap-oob")


def test_a_stale_schedule_edit_is_409_with_what_changed_and_the_input_kept(client, session, admin):
    other = make_staff(session, "second-admin@test.mall", [Role.SYSTEM_ADMIN], name="Sol Second")
    jobs.set_paused(
        session, "refresh-ratings", paused=True, reason="Index rebuild", expected_version=1,
        actor=other,
    )  # fmt: skip
    response = post_schedule(
        client, {"action": "pause", "reason": "My own reason", "version": "1"}, **HTMX
    )
    assert response.status_code == 409
    page = page_of(response)
    stale = page.select_one(".stale")
    assert "Changed by someone else" in stale.get_text()
    rows = {
        tr.th.get_text(): [td.get_text() for td in tr.select("td")]
        for tr in stale.select("tbody tr")
    }
    assert rows["Reason for the pause"][:2] == ["Index rebuild", "Sol Second"]
    assert rows["Paused"][0] == "Yes"
    assert page.select_one("textarea[name=reason]").get_text().strip() == "My own reason"
    assert page.select_one("input[name=version]")["value"] == "2"
    assert b"schedule paused." not in response.data
    assert jobs.job_status(session, "refresh-ratings").schedule.pause_reason == "Index rebuild"


def test_the_admin_home_shows_each_jobs_last_run(client, session, admin):
    add_runs(session, 1, status="failed")
    page = page_of(client.get("/admin/"))
    row = page.select_one('.home-jobs tr[data-job="refresh-ratings"]')
    assert "Failed" in row.get_text() and "database busy" in row.get_text()


def test_two_admins_on_a_job_page_see_each_other(app, client, session, admin):
    from tests.conftest import sign_in
    from tests.factories.actors import DEFAULT_PASSWORD

    page = page_of(client.get("/admin/jobs/refresh-ratings"))
    poll = page.select_one('[data-presence="job:refresh-ratings"]')
    assert poll["hx-headers"] == '{"X-Background": "1"}'
    # the job's schedule record exists once the job has run (presence needs a record)
    jobs.run_job("refresh-ratings")
    other = make_staff(session, "other-viewer@test.mall", [Role.SYSTEM_ADMIN])
    second = app.test_client()
    assert sign_in(second, other.email, DEFAULT_PASSWORD).status_code == 302
    token = csrf_from(client.get("/admin/jobs/refresh-ratings").data)
    headers = {**HTMX, "X-Background": "1", "X-CSRFToken": token}
    assert client.post(poll["hx-post"], headers=headers).data.strip() == b""
    token2 = csrf_from(second.get("/admin/jobs/refresh-ratings").data)
    seen = second.post(poll["hx-post"], headers={**headers, "X-CSRFToken": token2})
    assert f"{admin.email.split('@')[0]} is viewing" in seen.get_data(as_text=True)


def test_the_claim_and_presence_sweeps_are_scheduled_jobs(session):
    expired = jobs.run_job("expire-claims")
    pruned = jobs.run_job("prune-presence")
    assert expired.counts == {"claims_expired": 0} and pruned.counts == {"presence_rows_removed": 0}
    assert jobs.REGISTRY["expire-claims"].every == timedelta(minutes=1)


def test_page_links_keep_a_chosen_order_and_page_size(client, session, admin):
    add_runs(session, 30)
    page = page_of(client.get("/admin/jobs?sort=queued&limit=25"))
    assert page.select_one("#listing th[aria-sort]")["aria-sort"] == "ascending"
    query = parse_qs(urlparse(page.select_one("#listing .pager a[rel=next]")["href"]).query)
    assert query["sort"] == ["queued"] and query["limit"] == ["25"] and "after" in query
    # the current sort's header turns it around; the default order leaves the URL clean
    header = next(a for a in page.select("#listing th a.sort") if a.get_text().startswith("Queued"))
    assert parse_qs(urlparse(header["href"]).query) == {"limit": ["25"]}
    add_runs(session, 30, start=utcnow() - timedelta(days=2))
    default = page_of(client.get("/admin/jobs"))
    assert "sort=" not in default.select_one("#listing .pager a[rel=next]")["href"]
    assert "limit=" not in default.select_one("#listing .pager a[rel=next]")["href"]
