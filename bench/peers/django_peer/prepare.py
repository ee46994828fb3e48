"""Prepare the Django peer's database: its schema, Django's migrations in it, and the
superuser the benchmark signs in as. Idempotent; the console's tables are never touched.

    PEER_DATABASE_URL=… PEER_USERNAME=… PEER_PASSWORD=… python -m django_peer.prepare
"""

from __future__ import annotations

import os

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_peer.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django_peer.settings import SCHEMA

    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"')
    call_command("migrate", interactive=False, verbosity=0)
    username, password = os.environ["PEER_USERNAME"], os.environ["PEER_PASSWORD"]
    user, _ = get_user_model().objects.get_or_create(
        username=username, defaults={"is_staff": True, "is_superuser": True}
    )
    if not user.check_password(password):
        user.set_password(password)
        user.save()


if __name__ == "__main__":
    main()
