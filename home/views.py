"""The home page (a role's to-do list) and the site's error pages."""

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from access.http import AuthedRequest
from access.models import Grant
from home.todos import todos_for


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    user = request.user
    grants = Grant.objects.filter(user=user).select_related("org").order_by("org__path", "role")
    return render(request, "home/index.html", {"grants": grants, "todos": todos_for(user)})


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
