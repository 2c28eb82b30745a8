from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from access.http import AuthedRequest
from access.scope import Perm, require_anywhere
from audit.forms import AuditFilterForm
from audit.render import action_choices, render_events
from audit.selectors import Cursor, audit_event_page

PAGE_SIZES = (50, 100, 200)
FILTER_KEYS = ("person", "action", "target_type", "target_id", "q", "since", "until")


@login_required
def audit_list(request: AuthedRequest) -> HttpResponse:
    """The audit log as sentences, newest first: filter by person, action, object and date;
    page by 「较新」/「较早」 links (a cursor: a page deep in the log is as fast as the first)."""
    require_anywhere(request.user, Perm.AUDIT_VIEW)
    form = AuditFilterForm(request.GET)
    per_page = request.GET.get("per_page", "")
    size = int(per_page) if per_page.isdigit() and int(per_page) in PAGE_SIZES else PAGE_SIZES[0]
    page = audit_event_page(
        filters=form.filters(),
        size=size,
        before=Cursor.parse(request.GET.get("before")),
        after=Cursor.parse(request.GET.get("after")),
    )
    params = {k: request.GET[k] for k in (*FILTER_KEYS, "per_page") if request.GET.get(k)}
    context = {
        "form": form,
        "page": page,
        "events": page.events,
        "lines": render_events(page.events, viewer=request.user),
        "action_groups": action_choices(),
        "action": request.GET.get("action", ""),
        "per_page": size,
        "page_sizes": PAGE_SIZES,
        "querystring": urlencode(params),
        "querystring_nosize": urlencode({k: v for k, v in params.items() if k != "per_page"}),
    }
    template = "audit/audit_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, context)
