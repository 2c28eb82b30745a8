# Placeholder; replaced by the import work.
from django.http import HttpRequest, HttpResponse


def import_upload(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=501)


def import_template(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=501)


def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse(status=501)


def import_apply(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse(status=501)
