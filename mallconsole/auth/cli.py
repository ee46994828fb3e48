"""``flask create-staff EMAIL --role ROLE``: create a staff account (asks for the password).

Exit codes (docs/contract.md): 0 done, 1 failed, 2 refused (bad arguments, email taken).
"""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from mallconsole.core.errors import DomainError
from mallconsole.core.roles import Role
from mallconsole.extensions import db
from mallconsole.services.identity.staff import create_staff

EXIT_DONE, EXIT_FAILED, EXIT_REFUSED = 0, 1, 2


@click.command("create-staff")
@click.argument("email")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="A staff role; repeat the option for several.",
)
@click.option("--name", default=None, help="The staff member's display name.")
@click.password_option(
    "--password",
    prompt="Password",
    confirmation_prompt="Repeat the password",
    help="Asked for when not given (prefer the prompt: options stay in shell history).",
)
@with_appcontext
def create_staff_command(email: str, roles: tuple[str, ...], name: str | None, password: str):
    """Create a staff account with the given role(s)."""
    try:
        user = create_staff(
            db.session, email=email, password=password, roles=[Role(r) for r in roles], name=name
        )
        db.session.commit()
    except DomainError as refused:
        db.session.rollback()
        click.echo(f"Refused: {refused.message}", err=True)
        sys.exit(EXIT_REFUSED)
    except SQLAlchemyError as failure:
        db.session.rollback()
        click.echo(
            f"Failed: the database refused the change ({failure.__class__.__name__}).", err=True
        )
        sys.exit(EXIT_FAILED)
    click.echo(f"Created staff account {user.email} with role(s) {', '.join(roles)}.")
    sys.exit(EXIT_DONE)


def register(app) -> None:
    app.cli.add_command(create_staff_command)
