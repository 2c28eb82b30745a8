"""What the database refuses because of the request is a clean 4xx in Chinese, not a 500.

- A number too large for a column (SQLite raises OverflowError, PostgreSQL 「out of range」):
  400. Forms, query-string parsing (lib.params) and API schemas bound every number they read;
  this catches what slips past them.
- A unique constraint clash that a form's own check could not see (two requests at once): 409.
  Services run in transactions, so nothing of the refused write is kept."""

import logging
from collections.abc import Callable

from django.db import DataError, IntegrityError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

log = logging.getLogger(__name__)
OUT_OF_RANGE = "数值超出范围，请检查输入的数字。"
DUPLICATE = "与已有记录重复，未保存：名称或编号可能已被使用，或同一内容刚刚已提交过。"


def _out_of_range(exc: Exception) -> bool:
    if isinstance(exc, OverflowError):
        return True
    return isinstance(exc, DataError) and "out of range" in str(exc)


def _duplicate(exc: Exception) -> bool:
    text = str(exc)
    return isinstance(exc, IntegrityError) and (
        "UNIQUE constraint failed" in text or "duplicate key value" in text
    )


class DatabaseRefusalMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if _out_of_range(exc):
            message, status = OUT_OF_RANGE, 400
        elif _duplicate(exc):
            message, status = DUPLICATE, 409
        else:
            return None
        log.warning("Refused by the database: %s %s: %s", request.method, request.path, exc)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": message}, status=status, json_dumps_params={"ensure_ascii": False}
            )
        # The site's 4xx page in the layout, with the reason.
        return render(request, "400.html", {"message": message, "status": status}, status=status)
