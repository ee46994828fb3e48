"""The demo world's customers give customer 360 real work: found by name (any word order),
by the phone's last digits and by order number; a sign-in history; wallets, coupons, orders."""

from sqlalchemy import text

from mallconsole.core.roles import Permission
from mallconsole.extensions import db
from mallconsole.services.customers import customer_view
from mallconsole.services.customers.search import search


def test_demo_customers_are_found_every_way_and_have_a_history(seeded):
    app, engine = seeded[0], seeded[1]
    with engine.connect() as demo:
        user_id, name, phone, order_number = demo.execute(
            text(
                "SELECT u.id, u.name, u.phone, o.order_number FROM shopping_mall_users u "
                "JOIN shopping_mall_customer c ON c.shopping_mall_user_id = u.id "
                "JOIN shopping_mall_orders o ON o.shopping_mall_user_id = u.id "
                "JOIN shopping_mall_user_balances b ON b.shopping_mall_user_id = u.id "
                "ORDER BY o.order_number LIMIT 1"
            )
        ).one()
        events = demo.execute(
            text(
                "SELECT count(DISTINCT shopping_mall_user_id) "
                "FROM shopping_mall_user_security_events"
            )
        ).scalar()
        customers = demo.execute(text("SELECT count(*) FROM shopping_mall_customer")).scalar()
    first, last = name.split()
    everything = frozenset(Permission)
    with app.test_request_context():
        for term in (f"{last.upper()} {first.lower()}", phone[-8:], order_number):
            found = [c.record_id for c in search(db.session, term, permissions=everything)]
            assert user_id in found, term
        profile = customer_view.load(db.session, user_id)
        assert profile.balances and profile.balance_records
    assert events >= customers * 0.8
