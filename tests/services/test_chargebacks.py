"""Chargebacks: each transition and its effect on the seller's ledger (debited once, given back
once, drawing on a reserve), the deadline rule, notes, versions and audit."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from mallconsole.core.errors import Conflict, ValidationError
from mallconsole.core.roles import Role
from mallconsole.core.states import InvalidTransition
from mallconsole.models import AuditEvent, Chargeback, Order, SellerLedgerEntry, utcnow
from mallconsole.services.kit.versions import StaleRecord
from mallconsole.services.money import chargebacks, ledger, reserves
from tests.factories.actors import make_staff
from tests.factories.ledgers import post, seller_with_account
from tests.factories.records import build


@pytest.fixture
def finance(session):
    return make_staff(session, "disputes@test.mall", (Role.FINANCE_MANAGER,))


@pytest.fixture
def seller(session):
    seller = seller_with_account(session)
    post(session, seller, "500.00", days_ago=40)
    return seller


def _chargeback(session, seller, *, debited=False, respond_in_days=5, amount="80.00"):
    chargeback = build(
        session, Chargeback, shopping_mall_seller_id=seller.id, status="open",
        amount=Decimal(amount), currency="USD", opened_at=utcnow() - timedelta(days=2),
        respond_by=utcnow() + timedelta(days=respond_in_days), reason_category="fraudulent",
    )  # fmt: skip
    if debited:  # the provider withdrew the amount when the dispute opened
        post(session, seller, f"-{amount}", "chargeback", days_ago=2, chargeback_id=chargeback.id)
    return chargeback


def _case_hold(session, seller, finance, amount):
    return reserves.place_reserve(
        session, seller_id=seller.id, currency="USD", reserve_type="case_hold",
        amount=Decimal(amount), percent=None, reason="risk", policy_reference="p", actor=finance,
    )  # fmt: skip


def _event(session, entity_id, action):
    return session.scalars(
        select(AuditEvent).where(AuditEvent.entity_id == entity_id, AuditEvent.action == action)
    ).one()


def _balance(session, seller):
    return ledger.balance(session, seller.id, "USD").amount


def test_under_review_then_lost_debits_the_seller_once(session, seller, finance):
    cb = _chargeback(session, seller)
    chargebacks.start_review(session, cb.id, expected_version=cb.version, note="POD sent",
                             actor=finance)  # fmt: skip
    assert cb.status == "under_review" and cb.responded_at is not None
    assert "POD sent" in cb.notes
    chargebacks.mark_lost(session, cb.id, expected_version=cb.version, actor=finance)
    assert cb.status == "lost" and cb.closed_at is not None
    assert _balance(session, seller) == Decimal("420.00")
    assert [e.entry_type for e in chargebacks.entries_of(session, cb.id)] == ["chargeback"]
    assert ledger.reconcile(session, seller.id, "USD") == []


def test_lost_after_a_debit_at_opening_debits_nothing_more(session, seller, finance):
    cb = _chargeback(session, seller, debited=True)
    chargebacks.start_review(session, cb.id, expected_version=cb.version, note="x", actor=finance)
    chargebacks.mark_lost(session, cb.id, expected_version=cb.version, actor=finance)
    assert _balance(session, seller) == Decimal("420.00")
    assert len(chargebacks.entries_of(session, cb.id)) == 1


def test_won_gives_back_what_was_debited(session, seller, finance):
    cb = _chargeback(session, seller, debited=True)
    chargebacks.start_review(session, cb.id, expected_version=cb.version, note="x", actor=finance)
    chargebacks.mark_won(session, cb.id, expected_version=cb.version, note="provider agreed",
                         actor=finance)  # fmt: skip
    assert cb.status == "won"
    assert _balance(session, seller) == Decimal("500.00")
    kinds = [e.entry_type for e in chargebacks.entries_of(session, cb.id)]
    assert kinds == ["chargeback", "chargeback_reversal"]


def test_won_without_a_debit_writes_no_entry(session, seller, finance):
    cb = _chargeback(session, seller)
    chargebacks.start_review(session, cb.id, expected_version=cb.version, note="x", actor=finance)
    chargebacks.mark_won(session, cb.id, expected_version=cb.version, actor=finance)
    assert chargebacks.entries_of(session, cb.id) == []
    assert _balance(session, seller) == Decimal("500.00")


def test_open_is_lost_only_after_the_deadline(session, seller, finance):
    cb = _chargeback(session, seller)
    with pytest.raises(Conflict, match="deadline"):
        chargebacks.mark_lost(session, cb.id, expected_version=cb.version, actor=finance)
    late = _chargeback(session, seller, respond_in_days=-1)
    chargebacks.mark_lost(session, late.id, expected_version=late.version, actor=finance)
    assert late.status == "lost"


def test_illegal_moves_and_stale_versions_are_refused(session, seller, finance):
    cb = _chargeback(session, seller)
    with pytest.raises(InvalidTransition):
        chargebacks.mark_won(session, cb.id, expected_version=cb.version, actor=finance)
    with pytest.raises(StaleRecord):
        chargebacks.start_review(session, cb.id, expected_version=cb.version + 1, note="x",
                                 actor=finance)  # fmt: skip
    with pytest.raises(ValidationError):
        chargebacks.start_review(session, cb.id, expected_version=cb.version, note=" ",
                                 actor=finance)  # fmt: skip


def test_a_lost_chargeback_can_draw_on_a_reserve(session, seller, finance):
    reserve = _case_hold(session, seller, finance, "50.00")
    assert _balance(session, seller) == Decimal("450.00")
    cb = _chargeback(session, seller)
    chargebacks.start_review(session, cb.id, expected_version=cb.version, note="x", actor=finance)
    chargebacks.mark_lost(session, cb.id, expected_version=cb.version, reserve_id=reserve.id,
                          actor=finance)  # fmt: skip
    # The reserve's 50 covers part of the 80: the seller's balance falls by 30 only.
    assert _balance(session, seller) == Decimal("420.00")
    assert reserve.status == "released" and reserves.remaining(reserve) == Decimal("0")
    assert cb.shopping_mall_reserve_id == reserve.id
    assert ledger.reconcile(session, seller.id, "USD") == []


def test_every_step_is_audited_with_before_and_after(session, seller, finance):
    cb = _chargeback(session, seller)
    chargebacks.add_note(session, cb.id, expected_version=cb.version, note="called bank",
                         actor=finance)  # fmt: skip
    chargebacks.start_review(session, cb.id, expected_version=cb.version, note="x", actor=finance)
    chargebacks.mark_won(session, cb.id, expected_version=cb.version, actor=finance)
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.entity_id == cb.id).order_by(AuditEvent.created_at)
    ).all()
    assert [e.action for e in events] == [
        "chargeback.noted", "chargeback.responded", "chargeback.won"
    ]  # fmt: skip
    assert events[-1].changes["before"]["status"] == "under_review"
    assert events[-1].changes["after"]["status"] == "won"


def test_a_chargeback_names_its_order_when_it_has_one(session, seller):
    order = build(session, Order)
    disputed = _chargeback(session, seller)
    disputed.shopping_mall_order_id = order.id
    assert chargebacks.order_of(session, disputed) is order
    assert chargebacks.order_of(session, _chargeback(session, seller)) is None


def test_the_lost_event_says_in_money_what_a_reserve_covered(session, seller, finance):
    reserve = _case_hold(session, seller, finance, "50.00")
    session.flush()
    session.expire_all()  # read back as the database holds it (SQLite: four decimals)
    cb = _chargeback(session, seller, respond_in_days=-1)
    chargebacks.mark_lost(session, cb.id, expected_version=cb.version, reserve_id=reserve.id,
                          actor=finance)  # fmt: skip
    event = _event(session, cb.id, "chargeback.lost")
    assert re.fullmatch(r"Chargeback lost; USD\s50\.00 covered by a reserve", event.summary)


def test_an_open_chargeback_is_lost_from_the_moment_of_its_deadline(session, seller, finance):
    now = utcnow()
    cb = _chargeback(session, seller)
    cb.respond_by = now
    chargebacks.mark_lost(session, cb.id, expected_version=cb.version, actor=finance, now=now)
    assert cb.status == "lost" and cb.closed_at == now
    no_deadline = _chargeback(session, seller)
    no_deadline.respond_by = None
    with pytest.raises(Conflict, match="deadline"):
        chargebacks.mark_lost(session, no_deadline.id, expected_version=no_deadline.version,
                              actor=finance)  # fmt: skip
    assert no_deadline.status == "open"


def test_under_review_is_lost_before_the_deadline_too(session, seller, finance):
    cb = _chargeback(session, seller, respond_in_days=30)
    chargebacks.start_review(session, cb.id, expected_version=cb.version, note="x", actor=finance)
    chargebacks.mark_lost(session, cb.id, expected_version=cb.version, actor=finance)
    assert cb.status == "lost"


def test_lost_after_a_partial_debit_debits_only_the_rest(session, seller, finance):
    cb = _chargeback(session, seller, respond_in_days=-1)
    cb.shopping_mall_order_id = build(session, Order).id
    post(session, seller, "-30.00", "chargeback", days_ago=2, chargeback_id=cb.id)
    chargebacks.mark_lost(session, cb.id, expected_version=cb.version, note="bank decided",
                          actor=finance)  # fmt: skip
    entries = chargebacks.entries_of(session, cb.id)
    assert [(e.entry_type, e.amount) for e in entries] == [
        ("chargeback", Decimal("-30.00")), ("chargeback", Decimal("-50.00")),
    ]  # fmt: skip
    assert entries[-1].note == "Chargeback lost" and entries[-1].source_type == "chargeback"
    assert entries[-1].shopping_mall_order_id == cb.shopping_mall_order_id
    assert _balance(session, seller) == Decimal("420.00")
    assert chargebacks.debited(session, cb) == (Decimal("80.00"), Decimal("0"))
    event = _event(session, cb.id, "chargeback.lost")
    assert event.reason == "bank decided" and event.summary == "Chargeback lost"
    assert event.actor_user_id == finance.id
    assert event.changes["before"] == {"status": "open", "version": 1}
    assert event.changes["after"] == {"status": "lost", "version": 2,
                                      "ledger_entries": [entries[-1].id]}  # fmt: skip
    assert cb.notes.endswith("] Lost: bank decided")


def test_won_gives_back_only_what_is_not_yet_restored(session, seller, finance):
    cb = _chargeback(session, seller, debited=True)
    cb.shopping_mall_order_id = build(session, Order).id
    post(session, seller, "20.00", "chargeback_reversal", days_ago=1, chargeback_id=cb.id)
    chargebacks.start_review(session, cb.id, expected_version=cb.version, note="x", actor=finance)
    now = utcnow()
    chargebacks.mark_won(session, cb.id, expected_version=cb.version, actor=finance, now=now)
    restored = chargebacks.entries_of(session, cb.id)[-1]
    assert (restored.entry_type, restored.amount) == ("chargeback_reversal", Decimal("60.00"))
    assert restored.note == "Chargeback won" and restored.source_type == "chargeback"
    assert restored.shopping_mall_order_id == cb.shopping_mall_order_id
    assert _balance(session, seller) == Decimal("500.00")
    assert chargebacks.debited(session, cb) == (Decimal("80.00"), Decimal("80.00"))
    assert cb.closed_at == now
    event = _event(session, cb.id, "chargeback.won")
    assert re.fullmatch(r"Chargeback won; USD\s60\.00 restored", event.summary)
    assert event.changes["after"]["ledger_entry"] == restored.id


def test_won_when_all_was_restored_writes_nothing_more(session, seller, finance):
    cb = _chargeback(session, seller, debited=True)
    post(session, seller, "80.00", "chargeback_reversal", days_ago=1, chargeback_id=cb.id)
    chargebacks.start_review(session, cb.id, expected_version=cb.version, note="x", actor=finance)
    chargebacks.mark_won(session, cb.id, expected_version=cb.version, note="ok", actor=finance)
    assert len(chargebacks.entries_of(session, cb.id)) == 2
    assert cb.notes.endswith("] Won: ok")
    event = _event(session, cb.id, "chargeback.won")
    assert event.summary == "Chargeback won" and event.changes["after"]["ledger_entry"] is None
    assert (event.reason, event.actor_user_id) == ("ok", finance.id)


def test_drawing_on_a_reserve_is_audited_on_the_reserve(session, seller, finance):
    reserve = _case_hold(session, seller, finance, "100.00")
    cb = _chargeback(session, seller, respond_in_days=-1)
    cb.provider_reference = "CB-77"
    chargebacks.mark_lost(session, cb.id, expected_version=cb.version, reserve_id=reserve.id,
                          note="lost", actor=finance)  # fmt: skip
    # the whole 80 is covered: debited, then released from the reserve
    assert reserves.remaining(reserve) == Decimal("20.00")
    assert reserve.status == "partially_released"
    drawn = _event(session, reserve.id, "reserve.drawn")
    assert drawn.entity_table == "shopping_mall_reserves" and drawn.reason == "lost"
    assert drawn.actor_user_id == finance.id
    assert re.fullmatch(r"USD\s80\.00 used for a lost chargeback", drawn.summary)
    assert drawn.changes["before"]["status"] == "active"
    assert drawn.changes["after"]["status"] == "partially_released"
    assert Decimal(drawn.changes["after"]["released_amount"]) == Decimal("80.00")
    assert drawn.changes["after"]["chargeback"] == cb.id
    entries = [e for e in chargebacks.entries_of(session, cb.id)]
    release = _event(session, cb.id, "chargeback.lost")
    assert len(release.changes["after"]["ledger_entries"]) == 2
    covered = session.get(SellerLedgerEntry, release.changes["after"]["ledger_entries"][1])
    assert (covered.entry_type, covered.note) == ("reserve_release", "Covers chargeback CB-77")
    assert release.changes["after"]["ledger_entries"][0] == entries[0].id
    assert _balance(session, seller) == Decimal("400.00")  # 500 - 100 held - 80 + 80 released


def test_a_note_adds_a_dated_signed_line_and_a_version(session, seller, finance):
    from datetime import UTC, datetime

    cb = _chargeback(session, seller)
    at = datetime(2026, 3, 4, 5, 6, tzinfo=UTC)
    chargebacks.add_note(session, cb.id, expected_version=1, note=" called bank ", actor=finance,
                         now=at)  # fmt: skip
    chargebacks.add_note(session, cb.id, expected_version=2, note="sent POD", actor=finance,
                         now=at)  # fmt: skip
    assert cb.notes == (
        "[2026-03-04 05:06 UTC, disputes@test.mall] called bank\n\n"
        "[2026-03-04 05:06 UTC, disputes@test.mall] sent POD"
    )
    assert cb.version == 3 and cb.status == "open"
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.entity_id == cb.id).order_by(AuditEvent.created_at)
    ).first()
    assert (event.action, event.reason) == ("chargeback.noted", "called bank")
    assert event.changes == {"before": {"version": 1}, "after": {"version": 2}}
    with pytest.raises(StaleRecord):
        chargebacks.add_note(session, cb.id, expected_version=2, note="x", actor=finance)


def test_a_note_of_2000_characters_is_kept_and_2001_refused(session, seller, finance):
    cb = _chargeback(session, seller)
    chargebacks.add_note(session, cb.id, expected_version=1, note="n" * 2000, actor=finance)
    with pytest.raises(ValidationError) as refused:
        chargebacks.add_note(session, cb.id, expected_version=2, note="n" * 2001, actor=finance)
    assert list(refused.value.field_errors) == ["note"]
    with pytest.raises(ValidationError):
        chargebacks.mark_won(session, cb.id, expected_version=2, note="n" * 2001, actor=finance)


def test_starting_a_review_records_when_and_the_event(session, seller, finance):
    cb = _chargeback(session, seller)
    now = utcnow()
    chargebacks.start_review(session, cb.id, expected_version=1, note="POD", actor=finance,
                             now=now)  # fmt: skip
    assert cb.responded_at == now and cb.version == 2
    assert cb.notes.endswith("] Evidence sent: POD")
    event = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == cb.id)).one()
    assert (event.action, event.reason, event.actor_user_id) == (
        "chargeback.responded", "POD", finance.id,
    )  # fmt: skip
    assert event.changes == {"before": {"status": "open", "version": 1},
                             "after": {"status": "under_review", "version": 2}}  # fmt: skip


def test_due_soon_counts_undecided_chargebacks_due_within_two_days(session, seller, finance):
    now = utcnow() - timedelta(days=1)  # the moment asked about, not the clock
    before = chargebacks.due_soon(session, now=now)
    due = {"edge": now + timedelta(days=2), "overdue": now - timedelta(days=3),
           "later": now + timedelta(days=2, seconds=1), "won": now, "deleted": now}  # fmt: skip
    made = {}
    for name, respond_by in due.items():
        made[name] = _chargeback(session, seller)
        made[name].respond_by = respond_by
    made["won"].status = "won"
    made["deleted"].deleted_at = now
    session.flush()
    assert chargebacks.due_soon(session, now=now) == before + 2  # the edge and the overdue one


def test_overdue_is_open_past_the_deadline(session, seller):
    now = utcnow()
    cb = _chargeback(session, seller)
    row = chargebacks.ChargebackRow(cb, "Harbor Goods")
    cb.respond_by = now
    assert row.overdue(now)
    cb.respond_by = now + timedelta(seconds=1)
    assert not row.overdue(now)
    cb.respond_by, cb.status = now, "under_review"
    assert not row.overdue(now)
    cb.respond_by, cb.status = None, "open"
    assert not row.overdue(now)


def test_a_note_needs_words_and_its_event_names_who_wrote_it(session, seller, finance):
    cb = _chargeback(session, seller)
    with pytest.raises(ValidationError) as refused:
        chargebacks.add_note(session, cb.id, expected_version=1, note="  ", actor=finance)
    assert list(refused.value.field_errors) == ["note"] and cb.version == 1
    chargebacks.add_note(session, cb.id, expected_version=1, note="called", actor=finance)
    event = _event(session, cb.id, "chargeback.noted")
    assert (event.actor_user_id, event.summary) == (finance.id, "Evidence note added")


def test_the_list_filters_by_status_reason_and_seller(session, seller, finance):
    from mallconsole.services.kit.pagination import Ordering

    other = seller_with_account(session, name="Other Goods")
    won = _chargeback(session, seller)
    won.status = "won"
    duplicate = _chargeback(session, seller)
    duplicate.reason_category = "duplicate"
    fraud = _chargeback(session, seller)
    elsewhere = _chargeback(session, other)
    session.flush()
    ordering = Ordering(chargebacks.CHARGEBACK_SORTS[2], descending=False,
                        id_column=chargebacks.CHARGEBACK_ID)  # fmt: skip

    def found(**filters):
        page = chargebacks.chargeback_page(session, filters, ordering, cursor=None, limit=100)
        assert chargebacks.count_chargebacks(session, filters).value == len(page.rows)
        return {row.chargeback.id: row.seller for row in page.rows}

    assert found(status="won", seller=seller.id) == {won.id: "Harbor Goods"}
    assert found(reason="duplicate", seller=seller.id) == {duplicate.id: "Harbor Goods"}
    assert found(seller=other.id) == {elsewhere.id: "Other Goods"}
    assert found(status="all", seller=seller.id).keys() == {won.id, duplicate.id, fraud.id}


def test_a_chargeback_is_found_by_id_or_provider_reference_unless_deleted(session, seller):
    from mallconsole.core.errors import NotFound

    cb = _chargeback(session, seller)
    cb.provider_reference = "dp_0042"
    _chargeback(session, seller).provider_reference = "dp_0043"
    assert chargebacks.get_chargeback(session, cb.id) is cb
    assert chargebacks.get_chargeback(session, "dp_0042") is cb
    cb.deleted_at = utcnow()
    for reference in (cb.id, "dp_0042", "dp_none"):
        with pytest.raises(NotFound):
            chargebacks.get_chargeback(session, reference)


def test_a_deleted_entry_counts_as_no_debit(session, seller, finance):
    cb = _chargeback(session, seller, debited=True, respond_in_days=-1)
    chargebacks.entries_of(session, cb.id)[0].deleted_at = utcnow()
    session.flush()
    assert chargebacks.debited(session, cb) == (Decimal("0"), Decimal("0"))
    chargebacks.mark_lost(session, cb.id, expected_version=cb.version, actor=finance)
    assert [e.amount for e in chargebacks.entries_of(session, cb.id)] == [Decimal("-80.00")]
