from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from audit.context import client_address, request_ip


class RequestContextMiddleware:
    """Makes the client's address available to audit_record() without threading it through."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = request_ip.set(client_address(request))
        try:
            return self.get_response(request)
        finally:
            request_ip.reset(token)
