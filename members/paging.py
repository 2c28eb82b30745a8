"""Paging a member list that may hold a whole province: counting every row of a 300,000-row
scope costs more than the page itself, so above `EXACT_UP_TO` rows the count is PostgreSQL's
estimate (the planner's row count for the same query), shown as "约 N 人"."""

import json
from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from django.db import connections

# Counted exactly up to here (a LIMITed count stops at this many rows); estimated above.
EXACT_UP_TO = 20_000


def planner_estimate(queryset: Any) -> int | None:
    """PostgreSQL's estimate of the rows `queryset` returns, or None elsewhere."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatingPaginator(Paginator):
    """A Paginator whose count is exact up to EXACT_UP_TO and estimated above it
    (`estimated` says which). Two queries at most, whatever the size."""

    estimated = False

    @cached_property
    def count(self) -> int:
        queryset: Any = self.object_list
        exact = queryset.order_by()[: EXACT_UP_TO + 1].count()
        if exact <= EXACT_UP_TO:
            return int(exact)
        estimate = planner_estimate(queryset)
        if estimate is None:
            return int(queryset.count())
        self.estimated = True
        # Never below what was counted; rounded, since it is an estimate.
        return max(EXACT_UP_TO + 1, round(estimate, -2))

    def page(self, number: Any) -> Any:
        """As Paginator.page, but a page is never cut short by an estimate."""
        page = super().page(number)
        if self.estimated:
            bottom = (page.number - 1) * self.per_page
            page.object_list = self.object_list[bottom : bottom + self.per_page]
        return page
