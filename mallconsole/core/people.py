"""A staff member as screens name them: by their display name, their email kept for the
details (a title on hover)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    """Someone who did something in the console: ``name`` is shown, ``email`` on hover."""

    name: str | None
    email: str | None

    @property
    def display(self) -> str:
        return display_name(self.name, self.email)

    def __str__(self) -> str:
        return self.display


def display_name(name: str | None, email: str | None) -> str:
    """Their name; without one, the part of their email before the ``@`` (never the whole
    address, which is for the details)."""
    if name and name.strip():
        return name.strip()
    if email:
        return email.split("@", 1)[0]
    return "Someone"
