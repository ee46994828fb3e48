"""List screens: filters, sort order, page size and cursor read from the query string.

A list's state lives in its URL, so a list can be shared and the back button works. The
filters are a form declared once (``ListFilters`` subclass); the sort keys and the id column
come from the service that reads the list. Anything malformed (an unknown filter value, sort
order or page size, a cursor this server did not write) answers 400 with a message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import abort, request, url_for
from flask_wtf import FlaskForm

from mallconsole.services.kit.pagination import (
    Cursor,
    CursorError,
    Ordering,
    SortKey,
    decode_cursor,
    parse_ordering,
)

PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = 50
# Query-string names the kit owns; a filter form must not use them.
RESERVED = ("sort", "after", "before", "limit")


class ListFilters(FlaskForm):
    """Base of a list's filter form: read from the query string, no CSRF (reading only)."""

    class Meta:
        csrf = False


@dataclass
class Listing:
    """A list request as parsed: its filters, ordering, cursor and page size."""

    form: ListFilters
    ordering: Ordering
    cursor: Cursor | None
    limit: int
    endpoint: str
    view_args: dict
    default_sort: str

    @property
    def filters(self) -> dict:
        """The filter values given (empty ones left out)."""
        return {
            name: value
            for name, value in self.form.data.items()
            if value not in (None, "", [], ()) and name not in RESERVED
        }

    def _args(self) -> dict:
        args = {name: _query_value(value) for name, value in self.filters.items()}
        if self.ordering.param != self.default_sort:
            args["sort"] = self.ordering.param
        if self.limit != DEFAULT_PAGE_SIZE:
            args["limit"] = self.limit
        return args

    def url(self, **changes) -> str:
        """This list's URL with ``changes`` (a cursor, another sort); None values dropped."""
        args = {**self._args(), **changes}
        args = {k: v for k, v in args.items() if v not in (None, "")}
        return url_for(self.endpoint, **self.view_args, **args)

    def first_page_url(self) -> str:
        return self.url()

    def sort_url(self, name: str) -> str:
        """The first page ordered by ``name``: descending first, toggled when already used."""
        if self.ordering.key.name == name:
            param = name if self.ordering.descending else f"-{name}"
        else:
            param = f"-{name}"
        return self.url(sort=param if param != self.default_sort else None)

    def aria_sort(self, name: str) -> str | None:
        if self.ordering.key.name != name:
            return None
        return "descending" if self.ordering.descending else "ascending"


def _query_value(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _refuse(message: str):
    abort(400, description=message)


def read_listing(
    filters: type[ListFilters],
    *,
    sorts: Sequence[SortKey],
    default_sort: str,
    id_column,
    page_sizes: Sequence[int] = PAGE_SIZES,
) -> Listing:
    """Parse the current request's query string for a list; 400 on anything malformed."""
    args = request.args
    form = filters(args)
    if not form.validate():
        problems = [
            f"{form[name].label.text}: {messages[0]}" for name, messages in form.errors.items()
        ]
        _refuse("Some filter values are not valid. " + " ".join(problems))
    try:
        ordering = parse_ordering(args.get("sort"), sorts, default_sort, id_column)
    except ValueError as exc:
        _refuse(str(exc))
    raw_limit = args.get("limit")
    limit = DEFAULT_PAGE_SIZE
    if raw_limit is not None:
        if not raw_limit.isdigit() or int(raw_limit) not in page_sizes:
            sizes = ", ".join(str(n) for n in page_sizes)
            _refuse(f"Rows per page must be one of {sizes}.")
        limit = int(raw_limit)
    after, before = args.get("after"), args.get("before")
    if after and before:
        _refuse("A page link cannot point both forwards and backwards. Start from the first page.")
    cursor = None
    token = after or before
    if token:
        try:
            cursor = decode_cursor(token, ordering)
        except CursorError:
            _refuse("This page link is broken or out of date. Start again from the first page.")
        if cursor.backwards != bool(before):
            _refuse("This page link is broken or out of date. Start again from the first page.")
    return Listing(
        form=form,
        ordering=ordering,
        cursor=cursor,
        limit=limit,
        endpoint=request.endpoint,
        view_args=dict(request.view_args or {}),
        default_sort=default_sort,
    )
