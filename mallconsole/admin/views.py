"""Views of the admin console."""

from functools import partial

from flask import redirect, request, url_for
from flask_login import current_user

from mallconsole.admin import bp
from mallconsole.admin.forms import JobRunFilters, JobScheduleForm
from mallconsole.console.approvals import add_approvals
from mallconsole.core.errors import ValidationError
from mallconsole.core.roles import Permission
from mallconsole.extensions import db
from mallconsole.services import dashboards, jobs
from mallconsole.services.kit import audit, versions
from mallconsole.web.authz import require
from mallconsole.web.home import add_home
from mallconsole.web.htmx import is_htmx, render
from mallconsole.web.lists import read_listing
from mallconsole.web.messages import notify
from mallconsole.web.refusals import on_screen, refusals, validated
from mallconsole.web.templating import add_area_link, duration

home = add_home(
    bp,
    Permission.ADMIN_ACCESS,
    dashboards.admin_queues,
    recent_events=dashboards.recent_audit_events,
    job_statuses=jobs.job_statuses,
)


add_area_link(bp, "Jobs", "job_list", also=("job_run_detail", "job_detail"), position=80)


def _runs_listing():
    return read_listing(
        JobRunFilters, sorts=jobs.RUN_SORTS, default_sort="-queued", id_column=jobs.RUN_ID
    )


@bp.get("/jobs")
@require(Permission.ADMIN_ACCESS)
def job_list():
    """The background jobs with their last run, and every run, newest first."""
    listing = _runs_listing()
    page = jobs.run_page(
        db.session, listing.filters, listing.ordering, cursor=listing.cursor, limit=listing.limit
    )
    block = "jobs" if request.args.get("part") == "jobs" else "listing"
    return render(
        "admin/job_list.html",
        block=block,
        listing=listing,
        page=page,
        count=jobs.count_runs(db.session, listing.filters),
        statuses=jobs.job_statuses(db.session),
    )


@bp.get("/jobs/runs/<run_id>")
@require(Permission.ADMIN_ACCESS)
def job_run_detail(run_id):
    """One run: when, who asked, how long, what it counted, how it ended."""
    return render("admin/job_run_detail.html", row=jobs.get_run(db.session, run_id))


def _job_page(name, form, *, status=200, stale=None):
    job = jobs.job_status(db.session, name)
    history = (
        audit.history(db.session, "shopping_mall_job_schedules", job.schedule.id)
        if job.schedule
        else []
    )
    return render(
        "admin/job_detail.html",
        block="schedule",
        status=status,
        job=job,
        form=form,
        stale=stale,
        # htmx swaps the schedule in place: the header's state label follows it (oob)
        changed_in_place=is_htmx(),
        history=history,
        recent=jobs.recent_runs(db.session, name),
    )


@bp.get("/jobs/<name>")
@require(Permission.ADMIN_ACCESS)
def job_detail(name):
    """One job: what it does, its schedule (pause or resume it) and its history."""
    status = jobs.job_status(db.session, name)
    form = JobScheduleForm(
        data={"action": "resume" if status.paused else "pause", "version": status.version}
    )
    return _job_page(name, form)


@bp.post("/jobs/<name>/run")
@require(Permission.JOBS_MANAGE)
def job_run(name):
    """Run a job now (refused while it is already running)."""
    job = jobs.get_job(name)
    jobs.request_run(db.session, name, actor=current_user.user)
    notify(f"{job.label}: a run was started. It shows in the list below.")
    if is_htmx():
        response = render(
            "admin/job_list.html", block="jobs", statuses=jobs.job_statuses(db.session)
        )
        response.headers["HX-Trigger"] = "runs-changed"
        return response
    return redirect(url_for("admin.job_list"))


@bp.post("/jobs/<name>/schedule")
@require(Permission.JOBS_MANAGE)
def job_schedule_update(name):
    """Pause or resume a job's schedule; refused (409, with the changes) when stale."""
    job = jobs.get_job(name)
    form = JobScheduleForm()
    page = partial(_schedule_refused, name, form)
    with refusals(on_screen(page, ValidationError, versions.StaleRecord), form):
        validated(form)
        pausing = form.action.data == "pause"
        jobs.set_paused(
            db.session,
            name,
            paused=pausing,
            reason=form.reason.data,
            expected_version=versions.read_version(form.version.data),
            actor=current_user.user,
        )
    notify(_schedule_message(job, paused=pausing))
    if is_htmx():
        return _saved_schedule(name)
    return redirect(url_for("admin.job_detail", name=name))


def _schedule_message(job, *, paused: bool) -> str:
    """What pausing or resuming did, and what it means for the job's runs."""
    if paused:
        return (
            f"{job.label}: schedule paused. It will not run on its schedule until it is "
            "resumed; you can still run it now."
        )
    every = jobs.interval(job)
    then = f"It runs every {duration(every)} again." if every else "It runs when started."
    return f"{job.label}: schedule resumed. {then}"


def _schedule_refused(name, form, refusal):
    """The schedule form again: its errors (422), or what changed since (409) with the version
    it is based on now, so saving again applies the input on purpose."""
    return _job_page(name, form, status=refusal.status, stale=refusal.stale)


def _saved_schedule(name):
    """The schedule block as saved, with a fresh form for the next change (htmx)."""
    db.session.flush()
    saved = jobs.job_status(db.session, name)
    fresh = JobScheduleForm(
        formdata=None,
        data={"action": "resume" if saved.paused else "pause", "version": saved.version},
    )
    return _job_page(name, fresh)


add_approvals(bp, Permission.APPROVALS_ADMIN)
