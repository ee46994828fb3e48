"""Views of the operations console."""

from mallconsole.core.roles import Permission
from mallconsole.operations import bp
from mallconsole.services import dashboards, jobs
from mallconsole.web.home import add_home

# The periodic jobs whose work operations sees: the home says when each last ran and what it did.
OPERATIONS_JOBS = ("expire-orders",)


def _job_statuses(session):
    return [jobs.job_status(session, name) for name in OPERATIONS_JOBS]


home = add_home(
    bp, Permission.OPERATIONS_ACCESS, dashboards.operations_queues, job_statuses=_job_statuses,
    run_labels=lambda _session: jobs.RUN_STATUS_LABELS,
    run_tones=lambda _session: jobs.RUN_STATUS_TONES,
)  # fmt: skip
