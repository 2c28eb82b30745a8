from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from access.http import AuthedRequest
from access.scope import Perm, require_anywhere
from audit.forms import AuditFilterForm
from audit.render import action_choices, render_events
from audit.selectors import audit_event_list

PAGE_SIZES = (50, 100, 200)
FILTER_KEYS = ("person", "action", "target_type", "target_id", "q", "since", "until")


@login_required
def audit_list(request: AuthedRequest) -> HttpResponse:
    """The audit log as sentences, newest first: filter by person, action, object and date."""
    require_anywhere(request.user, Perm.AUDIT_VIEW)
    form = AuditFilterForm(request.GET)
    events = audit_event_list(filters=form.filters())
    per_page = request.GET.get("per_page", "")
    size = int(per_page) if per_page.isdigit() and int(per_page) in PAGE_SIZES else PAGE_SIZES[0]
    page = Paginator(events, size).get_page(request.GET.get("page"))
    params = {k: request.GET[k] for k in (*FILTER_KEYS, "per_page") if request.GET.get(k)}
    context = {
        "form": form,
        "page": page,
        "lines": render_events(page.object_list, viewer=request.user),
        "action_groups": action_choices(),
        "action": request.GET.get("action", ""),
        "per_page": size,
        "page_sizes": PAGE_SIZES,
        "querystring_nopage": urlencode(params),
    }
    template = "audit/audit_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, context)
