"""Forms of the moderation console: the queue filters."""

from __future__ import annotations

from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import Length
from wtforms.validators import ValidationError as FieldError

from .. import states
from ..extensions import db
from ..lists import ListFilters
from ..services import review_queues
from ..services.review_decisions import reason_words

YES_NO = {"": "Either", "yes": "Yes", "no": "No"}


class ReviewFilters(ListFilters):
    """Filters of the moderation queues; ``queue`` travels along as a hidden field."""

    queue = HiddenField(default="pending")
    product = StringField(
        "Product", validators=[Length(max=120)], description="Words of its title, or a SKU code"
    )
    store = SelectField("Store", choices={}, default="")
    rating = SelectField(
        "Rating",
        choices={"": "Any rating", **{str(n): f"{n} stars" for n in (5, 4, 3, 2)}, "1": "1 star"},
        default="",
    )
    language = SelectField("Language", choices={}, default="")
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
        self.store.choices = {"": "Any store", **dict(review_queues.store_choices(db.session))}
        languages = review_queues.language_choices(db.session)
        self.language.choices = {"": "Any language", **{code: code.upper() for code in languages}}
        if self.queue.data != "decided":
            del self.decided_by

    def validate_queue(self, field):
        if field.data not in review_queues.QUEUES:
            raise FieldError("Choose one of: " + ", ".join(review_queues.QUEUES) + ".")
