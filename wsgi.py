"""WSGI entry point: ``flask --app wsgi run`` or ``gunicorn wsgi:app``."""

from mallconsole import create_app
from mallconsole.core.errors import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    raise SystemExit(f"Mall Console cannot start: {exc}") from None
