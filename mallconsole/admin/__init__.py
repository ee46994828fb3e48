"""The admin console (``/admin/``). System admins: approvals, staff, flags, policies."""

from mallconsole.core.roles import Role
from mallconsole.web.authz import role_blueprint

bp = role_blueprint(Role.SYSTEM_ADMIN, __name__)


@bp.context_processor
def job_words():
    """Words for job-run states and triggers, for every admin template."""
    from mallconsole.services import jobs

    return {
        "run_labels": jobs.RUN_STATUS_LABELS,
        "run_tones": jobs.RUN_STATUS_TONES,
        "trigger_labels": jobs.TRIGGER_LABELS,
    }


from mallconsole.admin import configurations, flags, policies, views  # noqa: E402, F401  (register the routes)
