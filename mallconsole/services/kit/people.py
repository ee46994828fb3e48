"""Staff members by id, as screens name them (``core.people.Person``: name, email on hover)."""

from __future__ import annotations

from sqlalchemy import select

from mallconsole.core.people import Person
from mallconsole.models import User


def people_by_id(session, ids) -> dict[str, Person]:
    """The people of ``ids`` (None and unknown ids left out), by id."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.name, User.email).where(User.id.in_(wanted)))
    return {user_id: Person(name, email) for user_id, name, email in rows}


def person_of(session, user_id: str | None) -> Person | None:
    """One person by id, or None."""
    return people_by_id(session, [user_id]).get(user_id) if user_id else None
