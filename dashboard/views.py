"""数据看板: an org's figures, each a link to the list behind it, and its children's table."""

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from access.http import AuthedRequest
from access.scope import Perm, can
from dashboard import selectors
from dashboard.scope import default_org_id, get_dashboard_org_for_user
from orgs.models import Org


@require_safe
@login_required
def dashboard_home(request: AuthedRequest) -> HttpResponse:
    """The user's widest org's dashboard."""
    org_id = default_org_id(request.user)
    if org_id is None:
        raise PermissionDenied
    return dashboard_org(request, org_id)


@require_safe
@login_required
def dashboard_org(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    org = get_dashboard_org_for_user(user, pk)
    return render(request, "dashboard/page.html", page_context(user, org, request.GET))


def page_context(user: Any, org: Org, params: Any) -> dict[str, Any]:
    """What the page (and the admins' home, which shows the same panel) renders."""
    today = timezone.localdate()
    board = selectors.dashboard(
        user=user, org=org, day_range=selectors.day_range(params, today), today=today
    )
    ancestors = [a for a in _ancestors(org) if can(user, Perm.ORG_VIEW, a)]
    return {
        "board": board,
        "rows": board.rows(),
        "chart": board.chart(),
        "presets": selectors.PRESETS,
        "ancestors": ancestors,
        "range_query": urlencode(board.range.own_query()),
    }


def _ancestors(org: Org) -> list[Org]:
    """The org's ancestors, root first: one query."""
    steplen = Org.steplen
    paths = [org.path[: i * steplen] for i in range(1, org.depth)]
    return list(Org.objects.filter(path__in=paths).order_by("path")) if paths else []
