"""Pagination that never counts a whole table."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

PAGES_COUNTED = 100
PAGES_AHEAD = 9


class CappedPaginator(Paginator):
    """Counts at most ``pages_counted`` pages of rows: a worklist of a statewide
    partnership holds a hundred thousand, and counting them all costs more than
    showing a page. Beyond the cap the pages read "Page 3 of 100+"."""

    def __init__(self, object_list, per_page, *args, pages_counted=PAGES_COUNTED, **kw):
        super().__init__(object_list, per_page, *args, **kw)
        self.cap = pages_counted * int(per_page)

    @cached_property
    def _counted(self) -> int:
        rows = self.object_list
        if hasattr(rows, "order_by"):
            return _countable(rows.order_by())[: self.cap + 1].count()
        return len(rows)

    @property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def capped(self) -> bool:
        """More rows exist than were counted."""
        return self._counted > self.cap


def _countable(rows):
    """The rows' keys only, where that keeps their number: a sliced count keeps
    every annotation in its subquery, and a caseload's overdue flags (a condition
    per partnership) cost more to build and run than the counting itself."""
    # Distinct rows of a join may share a key.
    if rows.query.distinct:
        return rows
    return rows.values("pk")


# Any page past the end shows the last one; a larger number would only make the
# count's LIMIT overflow PostgreSQL's bigint (a typed or tampered address).
LAST_PAGE_ASKED = 1_000_000


def _page_number(number) -> int:
    try:
        return min(max(int(number), 1), LAST_PAGE_ASKED)
    except (TypeError, ValueError):
        return 1


def page_of(rows, per_page: int, number) -> object:
    """The requested page (the last one for a number past the end), counting
    rows only a few pages past it: "Page 1 of 10+", then "Page 10 of 19+"."""
    number = _page_number(number)
    paginator = CappedPaginator(rows, per_page, pages_counted=number + PAGES_AHEAD)
    return paginator.get_page(number)
