"""The global search box."""

from flask_wtf import FlaskForm
from wtforms import SearchField
from wtforms.validators import Length

from mallconsole.services.customers.search import MAX_LENGTH


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: reading only

    q = SearchField(
        "Search",
        validators=[Length(max=MAX_LENGTH)],
        description="Order, case, RMA, refund or payout number, SKU code, or a customer's "
        "name, email or phone (its last digits).",
    )
