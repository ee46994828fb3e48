"""Forms of the moderation console: the queue filters."""

from __future__ import annotations

from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import Length, Optional, Regexp
from wtforms.validators import ValidationError as FieldError

from mallconsole.core import states
from mallconsole.services.moderation import review_queues
from mallconsole.services.moderation.review_decisions import reason_words
from mallconsole.web.lists import ListFilters

YES_NO = {"": "Either", "yes": "Yes", "no": "No"}


class ReviewFilters(ListFilters):
    """Filters of the moderation queues; ``queue`` travels along as a hidden field."""

    queue = HiddenField(default="pending")
    product = StringField(
        "Product", validators=[Length(max=120)], description="Words of its title, or a SKU code"
    )
    store = StringField(
        "Store", validators=[Length(max=120)], description="Words of its name, or its code"
    )
    rating = SelectField(
        "Rating",
        choices={"": "Any rating", **{str(n): f"{n} stars" for n in (5, 4, 3, 2)}, "1": "1 star"},
        default="",
    )
    language = StringField(
        "Language",
        validators=[
            Optional(),
            Regexp(r"^[A-Za-z]{2,3}(-[A-Za-z]{2})?$", message="A code: en, de, pt-BR."),
        ],
        description="A code, e.g. en",
        render_kw={"size": 6},
    )
    media = SelectField("Has media", choices=YES_NO, default="")
    verified = SelectField("Verified purchase", choices=YES_NO, default="")
    reason = SelectField(
        "Report reason",
        choices={"": "Any reason", **{r: reason_words(r) for r in states.REVIEW_REPORT_REASONS}},
        default="",
    )
    decided_by = SelectField("Decided by", choices={"": "Anyone", "me": "Me"}, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.queue.data != "decided":
            del self.decided_by

    def validate_queue(self, field):
        if field.data not in review_queues.QUEUES:
            raise FieldError("Choose one of: " + ", ".join(review_queues.QUEUES) + ".")
