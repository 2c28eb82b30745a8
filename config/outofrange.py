"""A number too large for the database is the request's fault: a 400 in Chinese, not a 500.

Forms, query-string parsing (lib.params) and API schemas bound every number they read; this
catches what slips past them (SQLite raises OverflowError, PostgreSQL 「out of range」)."""

import logging
from collections.abc import Callable

from django.db import DataError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.template import TemplateDoesNotExist

log = logging.getLogger(__name__)
MESSAGE = "数值超出范围，请检查输入的数字。"


def _out_of_range(exc: Exception) -> bool:
    if isinstance(exc, OverflowError):
        return True
    return isinstance(exc, DataError) and "out of range" in str(exc)


class OutOfRangeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not _out_of_range(exc):
            return None
        log.warning("Out-of-range number in %s %s: %s", request.method, request.path, exc)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": MESSAGE}, status=400, json_dumps_params={"ensure_ascii": False}
            )
        try:
            return render(request, "400.html", {"message": MESSAGE}, status=400)
        except TemplateDoesNotExist:
            return HttpResponseBadRequest(
                f'<!doctype html><html lang="zh-hans"><meta charset="utf-8"><title>请求有误</title>'
                f'<p>{MESSAGE}</p><p><a href="/">返回首页</a></p></html>',
                content_type="text/html; charset=utf-8",
            )
