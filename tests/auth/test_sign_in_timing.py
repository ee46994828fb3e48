"""Every refused sign-in costs one password-hash verification, whatever the account is, so the
time of the answer tells no more than its words (bench/sign_in_timing.py measures it)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher, extract_parameters

from mallconsole.core.roles import Role
from mallconsole.models import Seller, utcnow
from mallconsole.services.identity import passwords
from mallconsole.services.identity.sign_in import REFUSAL
from mallconsole.services.identity.staff import ROLE_MODELS
from tests.conftest import sign_in
from tests.factories.actors import DEFAULT_PASSWORD, make_customer, make_staff
from tests.factories.records import build

WRONG = "not the password"
# Hashing itself is under test here: the production parameters, not the testing config's.
pytestmark = pytest.mark.usefixtures("standard_hashing")


@pytest.fixture
def verified(monkeypatch):
    """The hashes Argon2 verified, in order (every ``PasswordHasher.verify`` call)."""
    calls: list[str] = []
    real = PasswordHasher.verify

    def spy(self, password_hash, password):
        calls.append(password_hash)
        return real(self, password_hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", spy)
    return calls


def _staff(session, email, **kwargs):
    return make_staff(session, email, [Role.FINANCE_MANAGER], **kwargs)


def _locked(session, email):
    user = _staff(session, email)
    user.lockout_until = utcnow() + timedelta(minutes=10)
    return user


def _revoked(session, email):
    user = _staff(session, email)
    session.query(ROLE_MODELS[Role.FINANCE_MANAGER]).filter_by(
        shopping_mall_user_id=user.id
    ).one().revoked_at = utcnow()
    return user


def _customer(session, email, password_hash="!"):
    return make_customer(session, email, password_hash=password_hash)


def _seller(session, email, password_hash="!"):
    user = _customer(session, email, password_hash)
    build(session, Seller, shopping_mall_user_id=user.id, state="active")
    return user


def _storefront_hash(password):
    # A storefront hash of the right password, with cheaper parameters than the console's.
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(password)


# (category, how to make the account, password typed, the account's own hash is verified)
REFUSALS = [
    ("unknown email", None, DEFAULT_PASSWORD, False),
    ("customer", _customer, DEFAULT_PASSWORD, False),
    (
        "customer, storefront hash",
        lambda s, e: _customer(s, e, _storefront_hash(DEFAULT_PASSWORD)),
        DEFAULT_PASSWORD,
        False,
    ),
    ("seller", _seller, DEFAULT_PASSWORD, False),
    (
        "seller, storefront hash",
        lambda s, e: _seller(s, e, _storefront_hash(DEFAULT_PASSWORD)),
        DEFAULT_PASSWORD,
        False,
    ),
    ("staff, wrong password", _staff, WRONG, True),
    ("staff locked, right password", _locked, DEFAULT_PASSWORD, False),
    ("staff locked, wrong password", _locked, WRONG, False),
    ("staff suspended", lambda s, e: _staff(s, e, status="suspended"), DEFAULT_PASSWORD, False),
    ("staff terminated", lambda s, e: _staff(s, e, status="terminated"), DEFAULT_PASSWORD, False),
    ("staff whose role was revoked", _revoked, DEFAULT_PASSWORD, False),
    ("staff, malformed stored hash", lambda s, e: _staff_with_hash(s, e, "!"), WRONG, False),
]


def _staff_with_hash(session, email, password_hash):
    user = _staff(session, email)
    user.password_hash = password_hash
    return user


@pytest.mark.parametrize(
    ("category", "make", "password", "own_hash"), REFUSALS, ids=[r[0] for r in REFUSALS]
)
def test_each_refusal_verifies_one_hash(
    client, session, verified, category, make, password, own_hash
):
    email = f"timing-{category.replace(' ', '-').replace(',', '')}@test.mall"
    user = make(session, email) if make else None
    session.flush()
    response = sign_in(client, email, password)
    assert response.status_code == 422
    assert REFUSAL in response.get_data(as_text=True)
    assert len(verified) == 1, category
    if own_hash:
        assert verified == [user.password_hash]
    else:
        assert verified == [passwords._decoy_hash()]


def test_a_successful_sign_in_verifies_one_hash_too(client, session, verified):
    user = _staff(session, "timing-ok@test.mall")
    assert sign_in(client, "timing-ok@test.mall", DEFAULT_PASSWORD).status_code == 302
    assert verified == [user.password_hash]


def test_the_decoy_costs_what_a_staff_hash_costs(session):
    staff = _staff(session, "timing-params@test.mall")
    assert extract_parameters(passwords._decoy_hash()) == extract_parameters(staff.password_hash)
    assert not passwords.needs_rehash(passwords._decoy_hash())


@pytest.mark.parametrize("stored", [None, "", "!", "*", "$argon2id$garbage", "plain-text"])
def test_a_missing_or_malformed_hash_still_costs_one_verification(verified, stored):
    assert passwords.verify_password(stored, "anything") is False
    assert verified == [passwords._decoy_hash()]
