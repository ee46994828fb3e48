"""Carriers: the tracking address template's rules, the one tracking link builder (escaping what
a tracking number holds), the list, creating, editing with versions, deactivating (history
kept, no new shipments), and deleting only what no shipment names."""

from urllib.parse import unquote

import pytest
from markupsafe import escape
from sqlalchemy import select

from mallconsole.core.errors import Conflict, NotFound, ValidationError
from mallconsole.core.roles import Role
from mallconsole.models import AuditEvent, Carrier, ReturnShipment
from mallconsole.services.fulfilment import carriers
from mallconsole.services.kit.pagination import parse_ordering
from mallconsole.services.kit.versions import StaleRecord
from tests.factories.actors import make_staff
from tests.factories.records import build
from tests.factories.shipments import make_carrier, make_shipment

GOOD = "https://www.carrier.example/track?n={tracking_number}"


@pytest.fixture
def ops(session):
    return make_staff(session, "ops-carriers@example.test", roles=(Role.OPERATIONS_MANAGER,))


def audited(session, carrier):
    return session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_table == carriers.TABLE, AuditEvent.entity_id == carrier.id)
        .order_by(AuditEvent.created_at, AuditEvent.id)
    ).all()


# --- the template ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "template",
    [GOOD, "http://carrier.example/{tracking_number}", "https://c.example/t/{tracking_number}/x",
     "https://c.example:8443/t?a=1&n={tracking_number}#top", "  " + GOOD + "  "],
)  # fmt: skip
def test_good_templates_are_kept_as_written(template):
    assert carriers.check_template(template) == template.strip()


@pytest.mark.parametrize(
    ("template", "says"),
    [
        ("https://c.example/track?n={tracking}", "instead of {tracking}"),
        ("https://c.example/track", "Put {tracking_number} where"),
        ("https://c.example/{tracking_number}?x={order}", "remove {order}"),
        ("https://c.example/{tracking_number}?x={", "remove {"),
        ("https://c.example/{tracking_number}}", "remove }"),
        ("javascript:alert('{tracking_number}')", "Start with https://"),
        ("ftp://c.example/{tracking_number}", "Start with https://"),
        ("//c.example/{tracking_number}", "Start with https://"),
        ("https:///{tracking_number}", "Start with https://"),
        ("https://{tracking_number}.c.example/", "not in the site's name"),
        ("https://user:pw@c.example/{tracking_number}", "no user name or password"),
        ("https://c.example/ {tracking_number}", "no spaces"),
        ("https://c.example/\u202e{tracking_number}", "no spaces or invisible"),
        ("https://c.example/" + "x" * 2000 + "{tracking_number}", "under 2,000"),
        ("https://[c.example/{tracking_number}", "not a web address"),
        ('https://c.example/{tracking_number}"><script>', 'no " < > in it'),
        ("https://c.example/a|b/{tracking_number}", "no | in it"),
    ],
)
def test_bad_templates_are_refused_on_their_field_with_why(template, says):
    with pytest.raises(ValidationError) as refused:
        carriers.check_template(template)
    assert says in refused.value.field_errors["tracking_url_template"][0]


def test_an_empty_template_means_no_tracking_page():
    assert carriers.check_template("   ") is None and carriers.check_template(None) is None


# --- the tracking link ----------------------------------------------------------------------------


def test_the_tracking_number_is_url_quoted_into_the_template():
    link = carriers.tracking_link(GOOD, 'A&B"<x>/ 1?')
    assert link == "https://www.carrier.example/track?n=A%26B%22%3Cx%3E%2F%201%3F"
    assert unquote(link.split("n=", 1)[1]) == 'A&B"<x>/ 1?'
    # whatever the number holds, the address keeps the template's site and query
    assert link.startswith("https://www.carrier.example/track?n=") and link.count("&") == 0
    # in HTML the link is escaped once more by the template engine: nothing raw is left
    assert "<" not in str(escape(link)) and '"' not in str(escape(link))


def test_without_a_template_the_stored_address_is_used_if_it_is_a_web_address():
    assert carriers.tracking_link(None, "X1", "https://stored.example/X1") == (
        "https://stored.example/X1"
    )
    assert carriers.tracking_link(None, "X1", "javascript:alert(1)") is None
    assert carriers.tracking_link("https://c.example/track", "X1", None) is None  # no placeholder
    assert (
        carriers.tracking_link(GOOD, "  ", "https://stored.example/") == "https://stored.example/"
    )
    assert carriers.tracking_link(GOOD, None) is None


def test_a_template_that_is_not_a_web_address_gives_no_link():
    assert carriers.tracking_link("javascript:x({tracking_number})", "1") is None


def test_the_site_of_a_template_for_lists():
    assert carriers.tracking_site(GOOD) == "www.carrier.example"
    assert carriers.tracking_site(None) is None
    assert carriers.tracking_site("https://[broken/{tracking_number}") is None


# --- the list -------------------------------------------------------------------------------------


def page(session, filters=None, sort="name"):
    ordering = parse_ordering(sort, carriers.CARRIER_SORTS, "name", carriers.CARRIER_ID)
    return carriers.carrier_page(session, filters or {}, ordering, cursor=None, limit=50).rows


def test_the_list_finds_carriers_by_name_or_code_and_state(session):
    zulu = make_carrier(session, name="Zulu Parcels 100%", code="zulu-x")
    alpha = make_carrier(session, name="Alpha Post", code="alpha-x", active=False)
    gone = make_carrier(session, name="Gone Freight", code="gone-x")
    gone.deleted_at = gone.created_at
    names = [c.name for c in page(session, {"q": "parcels"})]
    assert names == ["Zulu Parcels 100%"]
    assert [c.id for c in page(session, {"q": "ALPHA-X"})] == [alpha.id]
    assert page(session, {"q": "100%"}) == [zulu]  # a percent sign is text, not a pattern
    assert page(session, {"q": "_"}) == []  # nor an underscore
    assert alpha in page(session, {"state": "inactive"}) and zulu not in page(
        session, {"state": "inactive"}
    )
    assert zulu in page(session, {"state": "active"}) and alpha not in page(
        session, {"state": "active"}
    )
    assert gone not in page(session)
    assert carriers.count_carriers(session, {"q": "gone freight"}).value == 0
    assert carriers.count_carriers(session, {"q": "zulu"}).value == 1


def test_choices_mark_inactive_carriers_or_leave_them_out(session):
    on = make_carrier(session, name="Aaa Active One")
    off = make_carrier(session, name="Aaa Inactive One", active=False)
    every = dict(carriers.choices(session))
    assert every[on.id] == "Aaa Active One" and every[off.id] == "Aaa Inactive One (inactive)"
    assert off.id not in dict(carriers.choices(session, active_only=True))


def test_a_carrier_screen_counts_its_shipments_and_says_if_it_can_be_deleted(session):
    carrier = make_carrier(session)
    view = carriers.load(session, carrier.id)
    assert view.shipments.value == 0 and view.deletable
    assert view.example_link == (
        f"https://track.example/parcels?number={carriers.EXAMPLE_TRACKING_NUMBER}"
    )
    make_shipment(session, carrier=carrier, status="in_transit")
    make_shipment(session, carrier=carrier, status="delivered")
    view = carriers.load(session, carrier.id)
    assert (view.shipments.value, view.on_their_way.value, view.deletable) == (2, 1, False)


def test_an_unknown_or_deleted_carrier_is_not_found(session):
    with pytest.raises(NotFound):
        carriers.get_carrier(session, "not-an-id")
    carrier = make_carrier(session)
    carrier.deleted_at = carrier.created_at
    with pytest.raises(NotFound):
        carriers.load(session, carrier.id)


# --- create and edit ------------------------------------------------------------------------------


def test_create_cleans_the_fields_and_audits(session, ops):
    carrier = carriers.create_carrier(
        session, code="  DHL-Express ", name=" DHL Express ", template=GOOD,
        phone="+1 (800) 555-0199", actor=ops,
    )  # fmt: skip
    assert (carrier.code, carrier.name, carrier.active, carrier.version) == (
        "dhl-express", "DHL Express", True, 1,
    )  # fmt: skip
    (event,) = audited(session, carrier)
    assert event.action == "carrier.created" and event.actor_user_id == ops.id
    assert event.changes["after"]["tracking_url_template"] == GOOD


def test_create_refuses_each_bad_field_at_once(session, ops):
    taken = make_carrier(session, code="taken-code", name="Taken Name")
    with pytest.raises(ValidationError) as refused:
        carriers.create_carrier(session, code="Bad Code!", name="", template="nope",
                                phone="call me", actor=ops)  # fmt: skip
    assert set(refused.value.field_errors) == {"code", "name", "tracking_url_template", "phone"}
    with pytest.raises(ValidationError) as refused:
        carriers.create_carrier(session, code="taken-code", name="taken name", template=None,
                                phone=None, actor=ops)  # fmt: skip
    assert f"{taken.name} has this code" in refused.value.field_errors["code"][0]
    assert "Another carrier has this name" in refused.value.field_errors["name"][0]
    taken.deleted_at = taken.created_at
    with pytest.raises(ValidationError) as refused:
        carriers.create_carrier(session, code="taken-code", name="New", template=None,
                                phone=None, actor=ops)  # fmt: skip
    assert "deleted earlier keeps this code" in refused.value.field_errors["code"][0]


def test_edit_needs_the_version_seen_and_says_what_changed(session, ops):
    carrier = make_carrier(session, name="Edit Me", code="edit-me")
    carriers.edit_carrier(session, carrier.id, code="edit-me", name="Edited", template=GOOD,
                          phone=None, expected_version=1, actor=ops)  # fmt: skip
    assert (carrier.name, carrier.version) == ("Edited", 2)
    with pytest.raises(StaleRecord) as stale:
        carriers.edit_carrier(session, carrier.id, code="edit-me", name="Mine", template=GOOD,
                              phone=None, expected_version=1, actor=ops)  # fmt: skip
    assert stale.value.current_version == 2
    assert dict((c.label, c.value) for c in stale.value.changes) == {
        "Name": "Edited", "Tracking address": GOOD,
    }  # fmt: skip
    assert carrier.name == "Edited"
    # keeping its own name is not a clash with itself
    carriers.edit_carrier(session, carrier.id, code="edit-me", name="edited", template=GOOD,
                          phone=None, expected_version=2, actor=ops)  # fmt: skip
    assert carrier.name == "edited" and carrier.version == 3


def test_an_edit_that_changes_nothing_writes_nothing(session, ops):
    carrier = make_carrier(session, name="Same", code="same-x")
    carriers.edit_carrier(session, carrier.id, code="same-x", name="Same",
                          template=carrier.tracking_url_template, phone=None, expected_version=1,
                          actor=ops)  # fmt: skip
    assert carrier.version == 1 and audited(session, carrier) == []


# --- deactivate, reactivate, delete ---------------------------------------------------------------


def test_deactivating_needs_a_reason_keeps_history_and_refuses_new_shipments(session, ops):
    carrier = make_carrier(session, name="Old Freight")
    shipment = make_shipment(session, carrier=carrier)
    with pytest.raises(ValidationError) as refused:
        carriers.set_active(session, carrier.id, False, reason=" ", expected_version=1, actor=ops)
    assert "reason" in refused.value.field_errors
    changed = carriers.set_active(session, carrier.id, False, reason="Contract ended",
                                  expected_version=1, actor=ops)  # fmt: skip
    assert "takes no new shipments" in changed.message
    assert (carrier.active, carrier.version, carrier.deleted_at) == (False, 2, None)
    assert shipment.shopping_mall_carrier_id == carrier.id  # its shipments keep it
    event = audited(session, carrier)[-1]
    assert (event.action, event.reason) == ("carrier.deactivated", "Contract ended")
    assert event.changes == {"before": {"active": True, "version": 1},
                             "after": {"active": False, "version": 2}}  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        carriers.for_new_shipment(session, carrier.id)
    assert "Old Freight is inactive" in refused.value.field_errors["carrier"][0]
    with pytest.raises(Conflict):
        carriers.set_active(session, carrier.id, False, reason="again", expected_version=2,
                            actor=ops)  # fmt: skip
    carriers.set_active(session, carrier.id, True, reason=None, expected_version=2, actor=ops)
    assert carrier.active and carriers.for_new_shipment(session, carrier.id) is carrier


def test_a_deactivation_on_an_old_version_is_stale(session, ops):
    carrier = make_carrier(session)
    carriers.edit_carrier(session, carrier.id, code=carrier.code, name="Renamed", template=None,
                          phone=None, expected_version=1, actor=ops)  # fmt: skip
    with pytest.raises(StaleRecord):
        carriers.set_active(session, carrier.id, False, reason="x", expected_version=1, actor=ops)
    assert carrier.active


def test_no_new_shipment_with_a_carrier_that_is_not_there(session):
    with pytest.raises(ValidationError) as refused:
        carriers.for_new_shipment(session, "0f0f0f0f-0000-4000-8000-000000000000")
    assert refused.value.field_errors["carrier"] == ["Choose a carrier from the list."]
    with pytest.raises(ValidationError):
        carriers.for_new_shipment(session, None)


def test_only_a_carrier_nothing_names_can_be_deleted(session, ops):
    mistake = make_carrier(session, name="Typo Carrier")
    with pytest.raises(ValidationError):
        carriers.delete_carrier(session, mistake.id, reason="", expected_version=1, actor=ops)
    carriers.delete_carrier(session, mistake.id, reason="Entered twice", expected_version=1,
                            actor=ops)  # fmt: skip
    assert mistake.deleted_at is not None and not mistake.active
    assert audited(session, mistake)[-1].action == "carrier.deleted"
    with pytest.raises(NotFound):
        carriers.get_carrier(session, mistake.id)

    used = make_carrier(session)
    make_shipment(session, carrier=used)
    with pytest.raises(Conflict, match="deactivate it instead"):
        carriers.delete_carrier(session, used.id, reason="x", expected_version=1, actor=ops)
    returns = make_carrier(session)
    build(session, ReturnShipment, shopping_mall_carrier_id=returns.id)
    with pytest.raises(Conflict):
        carriers.delete_carrier(session, returns.id, reason="x", expected_version=1, actor=ops)
    assert session.get(Carrier, used.id).deleted_at is None
