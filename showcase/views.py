"""The public showcase: no login, only what was published (showcase.selectors)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from showcase import selectors


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "showcase/home.html", selectors.sections())


def submission(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.published_submissions().filter(pk=pk).first()
    if item is None:
        raise Http404
    return render(request, "showcase/submission.html", {"item": item})


def honours(request: HttpRequest) -> HttpResponse:
    return render(
        request, "showcase/honours.html", {"honours": list(selectors.published_honours()[:500])}
    )
