"""Alembic environment: the console's metadata on the app's engine (Flask-Migrate)."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name and not config.attributes.get("skip_logging_config"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

migrate_ext = current_app.extensions["migrate"]
target_metadata = migrate_ext.db.metadata


def run_migrations_offline():
    """Emit SQL for the configured URL without a connection."""
    url = migrate_ext.db.engine.url.render_as_string(hide_password=False)
    context.configure(
        url=url, target_metadata=target_metadata, literal_binds=True, **migrate_ext.configure_args
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run the revisions on the app's database in one transaction."""

    def skip_empty(ctx, revision, directives):
        # No empty revision when autogenerate finds nothing to change.
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    conf_args = dict(migrate_ext.configure_args)
    conf_args.setdefault("process_revision_directives", skip_empty)
    with migrate_ext.db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds SQLite tables by copy-and-drop, which enforced foreign keys
            # refuse once rows exist. The pragma only works outside a transaction, so it is set
            # on the driver connection; integrity is checked before the commit instead.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            # SQLite DDL is transactional here (the engine issues BEGIN itself): one transaction.
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                transactional_ddl=True,
                **conf_args,
            )
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                if connection.in_transaction():
                    connection.rollback()
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
