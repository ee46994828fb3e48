"""Mall Console: the staff back office of a multi-seller shopping mall."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from flask import Flask

from mallconsole.config import config_class
from mallconsole.extensions import csrf, db, migrate
from mallconsole.schema import MIGRATION_OPTIONS
from mallconsole.services.kit import database  # noqa: F401  (registers the SQLite engine events)

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: str | Mapping | None = None) -> Flask:
    """Build the console: ``config`` is a settings name or a mapping of overrides."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    overrides = dict(config) if isinstance(config, Mapping) else {}
    name = config if isinstance(config, str) else overrides.pop("CONFIG_NAME", None)
    settings = config_class(name).from_environment(app.instance_path)
    app.config.update(settings)
    app.config.update(overrides)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), **MIGRATION_OPTIONS)
    csrf.init_app(app)

    from mallconsole import cli, health, metrics, tasks
    from mallconsole.admin import bp as admin_bp
    from mallconsole.api import bp as api_bp
    from mallconsole.auth import bp as auth_bp
    from mallconsole.auth import cli as auth_cli
    from mallconsole.auth import principal
    from mallconsole.console import bp as console_bp
    from mallconsole.finance import bp as finance_bp
    from mallconsole.moderation import bp as moderation_bp
    from mallconsole.operations import bp as operations_bp
    from mallconsole.services import executors
    from mallconsole.services.identity import passwords
    from mallconsole.support import bp as support_bp
    from mallconsole.web import authz, errors, messages, security, templating, transactions
    from mallconsole.web import metrics as request_metrics

    transactions.install_request_state(app)
    principal.configure(app)
    security.install(app)
    app.before_request(authz.guard_unmatched_role_paths)
    templating.install(app)
    messages.install(app)
    errors.register(app)
    auth_cli.register(app)
    cli.register(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(metrics.bp)
    request_metrics.install(app)
    app.register_blueprint(api_bp)
    for blueprint in (
        auth_bp,
        console_bp,
        support_bp,
        operations_bp,
        finance_bp,
        moderation_bp,
        admin_bp,
    ):
        app.register_blueprint(blueprint)
    executors.register_all()
    passwords.configure(app)
    tasks.install(app)
    transactions.install_commit(app)
    return app
