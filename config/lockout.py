"""Two login lockout limits on top of django-axes.

Axes counts failures per username (across addresses) and per address (across usernames) and
locks when the larger count reaches one limit. A campus NAT puts thousands of people behind
one address, so an address gets a higher limit than a username: the limit returned here is the
username's while that username has failed often enough, and the address's otherwise."""

from typing import Any

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone


def username_failures(request: HttpRequest, credentials: dict[str, Any] | None) -> int:
    username = get_client_username(request, credentials)
    if not username:
        return 0
    attempts = AccessAttempt.objects.filter(username=username)
    cool_off = get_cool_off(request)
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return int(attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0)


def failure_limit(request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
    user_limit: int = settings.AXES_USERNAME_FAILURE_LIMIT
    address_limit: int = settings.AXES_ADDRESS_FAILURE_LIMIT
    if username_failures(request, credentials) >= user_limit:
        return user_limit
    return max(address_limit, user_limit)
