"""The Celery entry point: ``celery -A mallconsole.worker:celery worker`` (and ``beat``).

Builds the console from the environment (``DATABASE_URL``, ``CELERY_BROKER_URL``, …) exactly as
``wsgi.py`` does, so workers and web processes share one configuration.
"""

from mallconsole import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
