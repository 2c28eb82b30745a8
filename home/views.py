"""The home page (a role's to-do list) and the site's error pages."""

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from access.http import AuthedRequest
from access.models import Grant, Role
from access.scope import roles_of
from dashboard import views as dashboard_views
from dashboard.scope import default_org_id
from home.todos import todos_for
from orgs.models import Org


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    user = request.user
    grants = Grant.objects.filter(user=user).select_related("org").order_by("org__path", "role")
    context: dict[str, Any] = {"grants": grants, "todos": todos_for(user)}
    # School and unit admins see their widest org's dashboard beside the to-do list.
    if roles_of(user) & {Role.SCHOOL_ADMIN, Role.UNIT_ADMIN}:
        org_id = default_org_id(user)
        org = Org.objects.get(pk=org_id)
        context |= {"dashboard": True, **dashboard_views.page_context(user, org, {})}
    return render(request, "home/index.html", context)


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from a page that has expired (or without its token): say so in Chinese."""
    return render(request, "403_csrf.html", status=403)


def error_500(request: HttpRequest) -> HttpResponse:
    """Rendered without the request's context: no database, no user, nothing that may fail."""
    context: dict[str, Any] = {"site_name": settings.SITE_NAME, "bare": True}
    return HttpResponseServerError(loader.get_template("500.html").render(context))
