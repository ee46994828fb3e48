"""Sign-in working state (revision 0005): the step between the password and the TOTP code."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from mallconsole.models.base import Base, created_at, uuid_pk


class MfaChallenge(Base):
    """A password accepted for an account with MFA, waiting for its code in one browser.

    The browser's session cookie holds a random token; the row holds its SHA-256. The first
    accepted code deletes the row, as do a new password step and signing out, so a copy of the
    cookie taken in between is worthless; an unused row is worthless after ``expires_at``.
    """

    __tablename__ = "shopping_mall_mfa_challenges"

    id: Mapped[uuid_pk]
    shopping_mall_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("shopping_mall_users.id"), index=True
    )
    token_hash: Mapped[str] = mapped_column(unique=True)
    email: Mapped[str]  # as typed at the password step
    next_path: Mapped[str | None]  # where to go once signed in (already judged local)
    expires_at: Mapped[datetime]
    created_at: Mapped[created_at]


__all__ = ["MfaChallenge"]
