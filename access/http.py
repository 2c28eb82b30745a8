from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class AuthedRequest(HttpRequest):
    """The request a login_required view receives (for type checking)."""

    user: User
    htmx: HtmxDetails
