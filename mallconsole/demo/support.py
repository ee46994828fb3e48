"""Support cases of every status, priority, category and channel, assigned and unassigned,
some breaching their SLA, with long timelines: events, notes and attachments (small real
files written under UPLOAD_DIR)."""

from __future__ import annotations

import base64
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

from mallconsole.core import states
from mallconsole.demo.world import World

# support.sla.first_response_hours.<priority> (seeded by the admin module)
SLA_FIRST_RESPONSE_HOURS = states.DEFAULT_SLA_FIRST_RESPONSE_HOURS
CASE_WEIGHTS = {"open": 30, "pending": 12, "on_hold": 6, "resolved": 22, "closed": 30}
PRIORITY_WEIGHTS = {"low": 20, "normal": 50, "high": 22, "urgent": 8}
SUBJECTS = {
    "order": "Question about my order",
    "payment": "I was charged twice",
    "shipping": "Where is my package?",
    "return": "Return label not received",
    "refund": "Refund not received yet",
    "account": "Cannot change my email address",
    "product": "Is this item compatible?",
    "seller": "Seller does not answer",
}
CUSTOMER_LINES = (
    "Hello, any update on this?",
    "I attached a photo of the package.",
    "It has been several days now.",
    "Thanks, that works for me.",
    "Could you check again please?",
)
AGENT_LINES = (
    "Thanks for reaching out, I'm looking into it.",
    "I've contacted the seller and will update you within 24 hours.",
    "The carrier confirmed the package is on its way.",
    "I've escalated this to our finance team.",
)
NOTES = (
    "Customer is a repeat buyer, be generous.",
    "Seller confirmed stock issue by phone.",
    "Possible duplicate of an earlier case.",
    "Waiting for carrier investigation (5 business days).",
)
STATUS_CHANGED = states.CASE_EVENT_STATUS_CHANGED
EVENT_WEIGHTS = {"customer_message": 35, "agent_reply": 35, "note": 15, STATUS_CHANGED: 15}
# A 1x1 transparent PNG: the smallest real image an attachment can be.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


# The shared reply library: (title, category, body with placeholders, times used).
CANNED_REPLIES = (
    ("Where is my order", "shipping",
     "Hello {customer_name},\n\nYour order {order_number} is with the carrier. You can follow "
     "it with the tracking link in your confirmation email; I will keep an eye on it too.", 41),
    ("Refund on its way", "refund",
     "Hello {customer_name},\n\nThe refund for order {order_number} has been approved. It "
     "reaches your card within 5 to 10 business days, depending on your bank.", 28),
    ("Return label", "return",
     "Hello {customer_name},\n\nI have attached a prepaid return label for order "
     "{order_number}. Please drop the parcel off within 14 days.", 17),
    ("Charged twice", "payment",
     "Hello {customer_name},\n\nThe second charge is a card authorization that was never "
     "captured; your bank releases it within a few days.", 9),
    ("Asking the seller", "seller",
     "Hello {customer_name},\n\nI have contacted the seller about your question and will get "
     "back to you within one business day.", 12),
    ("Thanks for your patience", None,
     "Hello {customer_name},\n\nThank you for your patience. Is there anything else I can "
     "help you with?", 63),
)  # fmt: skip


def build_canned_replies(world: World) -> None:
    support = world.refs["staff"]["support@demo.mall"]
    for title, category, body, used in CANNED_REPLIES:
        world.add(
            "shopping_mall_canned_replies",
            at=world.ago(days=120),
            title=title,
            body=body,
            category=category,
            usage_count=used,
            last_used_at=world.ago(hours=world.rng.uniform(1, 72)),
            created_by_user_id=support,
        )


def build_cases(world: World) -> None:
    """Cases not tied to an order: account, product and seller questions."""
    build_canned_replies(world)
    customers = world.refs["customers"]
    for _ in range(world.count(300, minimum=len(states.SUPPORT_CASE) * 2)):
        category = world.pick(("account", "product", "seller", "payment"))
        _case(world, customer=world.pick(customers), category=category, earliest=world.ago(days=90))


def case_for_order(
    world: World, ctx: dict, *, category: str | None = None, reference=None, raised=None
):
    """A case about one order (and its first shipment for shipping questions). ``raised`` =
    (when, sentence): the request the case is about was raised from it then, by an agent (a
    ``request_raised`` event; the case opened shortly before). Returns id, number, and the
    agent who raised the request (``raised_by``)."""
    order = ctx["order"]
    shipments = ctx["shipments"]
    if category is None:
        category = "shipping" if shipments else world.pick(("order", "payment"))
    return _case(
        world,
        customer=ctx["customer"],
        category=category,
        earliest=order["placed_at"],
        order_id=order["id"],
        shipment_id=shipments[0]["id"] if shipments and category == "shipping" else None,
        seller_user_id=None,
        reference=reference or order["order_number"],
        raised=raised,
    )


def _case(
    world,
    *,
    customer,
    category,
    earliest,
    order_id=None,
    shipment_id=None,
    seller_user_id=None,
    reference=None,
    raised=None,
) -> dict:
    n = world.serial("case")
    status = world.state(n, states.SUPPORT_CASE, CASE_WEIGHTS)
    priority = world.state(n, states.CASE_PRIORITIES, PRIORITY_WEIGHTS)
    channel = world.state(n, states.CASE_CHANNELS)
    if status in states.SUPPORT_CASE_OPEN and world.chance(0.55):
        # Fresh work: opened in the last hours, mostly still inside its SLA.
        opened = max(earliest, world.ago(hours=world.rng.uniform(0.1, 20)))
    else:
        opened = world.after(earliest, days=3)
    if raised:
        # The customer called in, and the agent raised the request from the case.
        opened = max(earliest, raised[0] - timedelta(hours=world.rng.uniform(0.5, 30)))
    agents = world.refs["staff_by_role"]["support_agent"]
    assigned = None
    if status not in ("open",) or world.chance(0.5):
        assigned = world.pick(agents)
    case_id = world.uid()
    number = world.number("CAS", opened)
    long_timeline = world.due("long_timeline", 2, 0.04)
    length = world.rng.randint(30, 60) if long_timeline else world.rng.randint(2, 9)
    settled = raised[0] if raised else opened  # a case closes after what happened in it
    end = world.now if status in states.SUPPORT_CASE_OPEN else world.after(settled, days=6)
    kinds = [world.weighted(EVENT_WEIGHTS) for _ in range(length - 1)]
    moves = _status_walk(world, kinds.count(STATUS_CHANGED), status)
    # Moves the timeline has no slot for come last (a resolved or closed case ends at ``end``).
    times = world.moments(opened, end, length + len(moves) - kinds.count(STATUS_CHANGED))
    if status not in states.SUPPORT_CASE_OPEN:
        times[-1] = end
    kinds += [STATUS_CHANGED] * (len(times) - 1 - len(kinds))
    subject = SUBJECTS[category]
    events = [
        (
            "created",
            customer["id"],
            "public",
            f"{subject} ({reference})" if reference else subject,
            opened,
        )
    ]
    if assigned:
        events.append(("assigned", assigned, "internal", "Case assigned", times[0]))
    raised_by = assigned or world.pick(agents)
    if raised:
        events.append(("request_raised", raised_by, "internal", raised[1], raised[0]))
    changes = iter(moves)
    for kind, at in zip(kinds, times[1:], strict=True):
        if kind == "customer_message":
            events.append((kind, customer["id"], "public", world.pick(CUSTOMER_LINES), at))
        elif kind == "agent_reply":
            events.append(
                (kind, assigned or world.pick(agents), "public", world.pick(AGENT_LINES), at)
            )
        elif kind == "note":
            events.append((kind, assigned or world.pick(agents), "internal", world.pick(NOTES), at))
        else:
            body = states.case_status_change(*next(changes))
            events.append((kind, assigned or world.pick(agents), "internal", body, at))
    last_at = max(e[4] for e in events)
    world.add(
        "shopping_mall_support_cases",
        id=case_id,
        at=opened,
        updated_at=last_at,
        customer_user_id=customer["id"],
        seller_user_id=seller_user_id,
        order_id=order_id,
        shipment_id=shipment_id,
        assigned_to_user_id=assigned,
        case_number=number,
        subject=subject,
        description=f"{subject}. Reference: {reference}." if reference else subject,
        status=status,
        priority=priority,
        category=category,
        origin_channel=channel,
        sla_due_at=opened + timedelta(hours=SLA_FIRST_RESPONSE_HOURS[priority]),
        closed_at=end if status == "closed" else None,
        last_event_at=last_at,
    )
    attach = world.due("attachment", 3, 0.1)
    for kind, actor, visibility, body, at in events:
        event = world.add(
            "shopping_mall_support_case_events",
            at=at,
            shopping_mall_support_case_id=case_id,
            actor_user_id=actor,
            event_type=kind,
            visibility=visibility,
            body=body,
            occurred_at=at,
        )
        note_id = None
        if kind == "note":
            note_id = world.add(
                "shopping_mall_support_notes",
                at=at,
                shopping_mall_support_case_id=case_id,
                author_user_id=actor,
                visibility="internal",
                body=body,
            )["id"]
        if attach and kind in ("created", "customer_message", "note"):
            attach = False
            _attachment(world, case_id, number, event["id"], note_id, actor or customer["id"], at)
    return {"id": case_id, "number": number, "raised_by": raised_by}


def _status_walk(world: World, wanderings: int, final: str) -> list[tuple[str, str]]:
    """The status changes of a case: from open, ``wanderings`` moves among open, pending and
    on_hold, then what it takes to reach ``final`` (each a move of the support case machine)."""
    path = ["open"]
    for _ in range(wanderings):
        path.append(world.pick([s for s in states.SUPPORT_CASE_OPEN if s != path[-1]]))
    if final not in states.SUPPORT_CASE_OPEN:
        path.append("resolved")
    if final != path[-1]:
        path.append(final)
    return list(pairwise(path))


def _attachment(world, case_id, number, event_id, note_id, uploader, at) -> None:
    """A small real file under UPLOAD_DIR, referenced by a path relative to it."""
    if world.chance(0.5):
        name, content_type, content = "package.png", "image/png", PNG
    else:
        name, content_type = "receipt.txt", "text/plain"
        content = f"Receipt for case {number}\nAmount paid: see order\n".encode()
    relative = f"support/{case_id}/{name}"
    upload_dir = world.refs.get("upload_dir")
    if upload_dir:
        path = Path(upload_dir) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    world.add(
        "shopping_mall_support_attachments",
        at=at,
        shopping_mall_support_case_id=case_id,
        shopping_mall_support_case_event_id=event_id,
        shopping_mall_support_note_id=note_id,
        uploaded_by_user_id=uploader,
        file_name=name,
        file_uri=relative,
        content_type=content_type,
        file_size=len(content),
    )
