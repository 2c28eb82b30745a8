from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from access.http import AuthedRequest
from access.scope import Perm, require_anywhere
from audit.models import AuditEvent


@login_required
def audit_list(request: AuthedRequest) -> HttpResponse:
    require_anywhere(request.user, Perm.AUDIT_VIEW)
    events = AuditEvent.objects.select_related("actor")
    action = request.GET.get("action", "").strip()
    actor = request.GET.get("actor", "").strip()
    if action:
        events = events.filter(action__startswith=action)
    if actor:
        events = events.filter(actor__username=actor)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    actions = AuditEvent.objects.order_by().values_list("action", flat=True).distinct()
    return render(
        request,
        "audit/audit_list.html",
        {"page": page, "action": action, "actor": actor, "actions": sorted(actions)},
    )
