"""教育素材库: the selected and published materials, open to every signed-in user.

What the library shows is decided by the submission's state alone (LIBRARY_STATES): once 组织部
selects a material it is meant to be seen school-wide, so no org scope applies here; drafts,
submitted-only, returned and withdrawn items never appear, and their files are a 404.
Files play in the page through HTTP range requests (uploads.serving), so <video> can seek;
a download (as an attachment) is written to the audit log, playing is not.
"""

import datetime as dt
import mimetypes
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from access.http import AuthedRequest
from audit.services import audit_record
from campaigns.models import (
    LIBRARY_STATES,
    Deliverable,
    MaterialType,
    Submission,
    SubmissionAuthor,
    SubmissionFile,
)
from lib.params import parse_id
from orgs.models import Org

PAGE_SIZE = 12
FILTER_KEYS = ("q", "type", "unit", "deliverable", "date_from", "date_to", "tag")


@dataclass(frozen=True)
class LibraryFilters:
    q: str = ""
    material_type: str = ""
    unit: int | None = None
    deliverable: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    tag: str = ""


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def filters_from(params: Any) -> LibraryFilters:
    material_type = params.get("type", "")
    return LibraryFilters(
        q=params.get("q", "").strip(),
        material_type=material_type if material_type in MaterialType.values else "",
        unit=parse_id(params.get("unit")),
        deliverable=parse_id(params.get("deliverable")),
        date_from=_date(params.get("date_from")),
        date_to=_date(params.get("date_to")),
        tag=params.get("tag", "").strip(),
    )


def library_items() -> QuerySet[Submission]:
    """Every material the library shows, with what a card needs fetched in a fixed number of
    queries (the page's submissions, then their files, then their authors)."""
    return (
        Submission.objects.filter(state__in=LIBRARY_STATES)
        .select_related("org", "deliverable", "deliverable__campaign")
        .prefetch_related(
            Prefetch("files", queryset=SubmissionFile.objects.order_by("id")),
            Prefetch("authors", queryset=SubmissionAuthor.objects.order_by("order", "id")),
        )
        .order_by("-submitted_at", "-id")
    )


def library_list(filters: LibraryFilters) -> QuerySet[Submission]:
    items = library_items()
    if filters.q:
        authors = SubmissionAuthor.objects.filter(
            submission=OuterRef("pk"), name__icontains=filters.q
        )
        items = items.filter(
            Q(title__icontains=filters.q) | Q(summary__icontains=filters.q) | Exists(authors)
        )
    if filters.material_type:
        files = SubmissionFile.objects.filter(
            submission=OuterRef("pk"), material_type=filters.material_type, is_subtitle=False
        )
        items = items.filter(Exists(files))
    if filters.unit:
        unit = Org.objects.filter(pk=filters.unit, depth=2).values_list("path", flat=True).first()
        items = items.filter(org__path__startswith=unit) if unit else items.none()
    if filters.deliverable:
        items = items.filter(deliverable_id=filters.deliverable)
    if filters.date_from:
        items = items.filter(submitted_at__date__gte=filters.date_from)
    if filters.date_to:
        items = items.filter(submitted_at__date__lte=filters.date_to)
    if filters.tag:
        if connection.vendor == "postgresql":
            items = items.filter(tags__contains=[filters.tag])
        else:  # SQLite (the local demo) has no JSON containment: pick the rows in Python
            ids = [
                pk
                for pk, tags in items.values_list("pk", "tags")
                if isinstance(tags, list) and filters.tag in tags
            ]
            items = items.filter(pk__in=ids)
    return items


def _unit_names() -> dict[str, str]:
    return dict(Org.objects.filter(depth=2).values_list("path", "name"))


def _card(submission: Submission, unit_names: dict[str, str]) -> dict[str, Any]:
    files = [f for f in submission.files.all() if not f.is_subtitle]
    pictures = [f for f in files if f.material_type == MaterialType.PICTURE]
    videos = [f for f in files if f.material_type == MaterialType.VIDEO]
    audios = [f for f in files if f.material_type == MaterialType.AUDIO]
    org = submission.org
    return {
        "s": submission,
        "unit": unit_names.get(org.unit_path(), org.name),
        "authors": "、".join(a.name for a in submission.authors.all()),
        "picture": pictures[0] if pictures else None,
        "video": videos[0] if videos else None,
        "audio": audios[0] if audios else None,
        "files": submission.files.all(),
    }


@login_required
def library(request: AuthedRequest) -> HttpResponse:
    filters = filters_from(request.GET)
    page = Paginator(library_list(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    unit_names = _unit_names()
    params = {k: request.GET[k] for k in FILTER_KEYS if request.GET.get(k)}
    tags = sorted(
        {
            tag
            for row in Submission.objects.filter(state__in=LIBRARY_STATES).values_list(
                "tags", flat=True
            )
            for tag in (row or [])
            if isinstance(tag, str)
        }
    )
    context = {
        "page": page,
        "cards": [_card(s, unit_names) for s in page.object_list],
        "filters": filters,
        "types": MaterialType.choices,
        "units": Org.objects.filter(depth=2).order_by("path").values_list("pk", "name"),
        "deliverables": Deliverable.objects.filter(
            Exists(Submission.objects.filter(deliverable=OuterRef("pk"), state__in=LIBRARY_STATES))
        )
        .select_related("campaign")
        .order_by("-campaign__year", "campaign_id", "order", "id"),
        "tags": tags,
        "querystring_nopage": urlencode(params),
    }
    template = "campaigns/library.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, context)


@login_required
def library_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    submission = library_items().filter(pk=pk).first()
    if submission is None:
        raise Http404
    card = _card(submission, _unit_names())
    return render(request, "campaigns/library_detail.html", {"card": card, "s": submission})


def _library_file(pk: int) -> SubmissionFile:
    """A file of a material in the library, or 404 (a draft's file is never served here)."""
    record = (
        SubmissionFile.objects.filter(pk=pk, submission__state__in=LIBRARY_STATES)
        .select_related("submission")
        .first()
    )
    if record is None:
        raise Http404
    return record


def _content_type(record: SubmissionFile) -> str:
    guessed, _ = mimetypes.guess_type(record.original_name)
    return record.content_type or guessed or "application/octet-stream"


@login_required
def library_file(request: AuthedRequest, pk: int) -> HttpResponseBase:
    """The file inline, for <img>, <audio> and <video>; range requests give 206."""
    from uploads.serving import ranged_file_response

    record = _library_file(pk)
    return ranged_file_response(
        request, record.file, content_type=_content_type(record), filename=record.original_name
    )


@login_required
def library_file_download(request: AuthedRequest, pk: int) -> HttpResponseBase:
    from uploads.serving import ranged_file_response

    record = _library_file(pk)
    # A resumed download sends a Range from where it stopped: only a fresh start is audited.
    if request.headers.get("Range", "") in ("", "bytes=0-"):
        audit_record(
            actor=request.user,
            action="library.download",
            target=record.submission,
            label=f"素材库下载：{record.original_name}",
            changes={"file": record.pk, "name": record.original_name},
        )
    return ranged_file_response(
        request,
        record.file,
        content_type=_content_type(record),
        filename=record.original_name,
        as_attachment=True,
    )
