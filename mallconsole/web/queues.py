"""Queue screens: one list per tab (a queue, a state), every tab with its count.

Support's cases (``?queue=``), moderation's queues (``?queue=``) and finance's refund requests
(``?tab=``) are one pattern. The tab is named in the query string (400, with the screen's own
words, for a tab there is not). ``part=tabs`` answers the tabs alone: their 30-second poll
(opened as a page, it is the whole screen). Otherwise the tab's list is read with
``read_listing`` and counted: a tab with nothing filtered shows its tab's count, a filtered one
a count of its own. A screen declares its tabs once
(``QueueScreen``); its view hands ``queue_screen`` the service calls that read them::

    return queue_screen(
        REFUND_TABS,
        tabs=partial(refund_queue.tabs, db.session),
        rows=partial(refund_queue.refund_page, db.session),
        count=partial(refund_queue.count_requests, db.session),
    )
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from flask import abort, request

from mallconsole.web.htmx import is_htmx, render
from mallconsole.web.lists import ListFilters, Listing, read_listing


@dataclass(frozen=True)
class QueueScreen:
    """A queue screen's tabs and how each tab's list is read.

    ``sorts``, ``default_sort`` and ``id_column`` are one value for every tab, or a mapping
    from each tab to its own.
    """

    template: str  # with blocks ``tabs`` and ``listing``
    argument: str  # the query-string name of the tab ("queue", "tab")
    names: Collection[str]  # the tabs there are
    default: str  # the tab shown when none is named
    unknown: str  # the 400's message for a tab there is not
    form: type[ListFilters]  # the filters; ``argument`` travels in it as a hidden field
    sorts: object
    default_sort: object
    id_column: object

    def current(self) -> str:
        """The tab the request names (``default`` when none); 400 for another."""
        name = request.args.get(self.argument) or self.default
        if name not in self.names:
            abort(400, description=self.unknown)
        return name

    def listing(self, tab: str) -> Listing:
        """The tab's list as the query string asks for it (400 on anything malformed)."""
        return read_listing(
            self.form,
            sorts=_for_tab(self.sorts, tab),
            default_sort=_for_tab(self.default_sort, tab),
            id_column=_for_tab(self.id_column, tab),
        )

    def given_filters(self, listing: Listing) -> dict:
        """The filters given, the tab left out."""
        return {k: v for k, v in listing.filters.items() if k != self.argument}


def _for_tab(value, tab: str):
    return value[tab] if isinstance(value, Mapping) else value


def queue_screen(
    screen: QueueScreen,
    *,
    tabs: Callable[[], list],
    rows: Callable,
    count: Callable[[str, dict], object],
    filters: Callable[[Listing], dict] | None = None,
    more: Callable[[str], dict] | None = None,
    **context,
):
    """The answer of a queue screen: its ``tabs`` block for the poll (``part=tabs``), else the
    page or, for htmx, its ``listing`` block.

    ``tabs()`` reads the tabs (each with a ``key`` and a ``count``); ``rows(tab, filters,
    ordering, cursor=, limit=)`` one page of a tab; ``count(tab, filters)`` a filtered tab's
    count. ``filters(listing)`` turns the filters given into those the services take (by
    default: as given, the tab left out). ``more(tab)`` is context only the list needs;
    ``context`` goes to both blocks. The template gets the tab under ``screen.argument``.
    """
    tab = screen.current()
    context[screen.argument] = tab
    if request.args.get("part") == "tabs" and is_htmx():  # the poll: the tabs' counts only
        return render(screen.template, block="tabs", tabs=tabs(), **context)
    listing = screen.listing(tab)
    given = filters(listing) if filters is not None else screen.given_filters(listing)
    page = rows(tab, given, listing.ordering, cursor=listing.cursor, limit=listing.limit)
    every_tab = tabs()
    return render(
        screen.template,
        block="listing",
        listing=listing,
        page=page,
        tabs=every_tab,
        count=count(tab, given) if given else next(t.count for t in every_tab if t.key == tab),
        filtered=bool(given),
        filters=given,
        **(more(tab) if more is not None else {}),
        **context,
    )
