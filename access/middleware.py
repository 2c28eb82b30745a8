from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse

from access.services import MUST_CHANGE_PASSWORD


class PasswordChangeRequiredMiddleware:
    """A user signed in with a temporary password (first login or an admin's reset) reaches
    only the change-password page and sign-out until they have chosen their own password.

    The sign-in view puts the mark in the session, so other requests cost no query."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and request.session.get(MUST_CHANGE_PASSWORD):
            change = reverse("password_change")
            if request.path not in (change, reverse("logout")):
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": "请先修改初始密码。"}, status=403)
                if request.headers.get("HX-Request"):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = change
                    return response
                return HttpResponseRedirect(change)
        return self.get_response(request)
