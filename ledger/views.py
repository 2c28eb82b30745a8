"""干部纪实台账 pages: thin views over ledger.scope, selectors and services."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from access.http import AuthedRequest
from access.scope import Perm, require_anywhere
from audit.once import submit_once, submit_token_replay
from audit.services import audit_record
from ledger import exports, selectors, services
from ledger.forms import RecordForm
from ledger.scope import cadres_for_user, get_cadre_for_user
from lib.xlsx import XLSX_CONTENT_TYPE
from uploads.serving import attachment_response, download_name

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PER_PAGE = 50


@login_required
def cadre_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.CADRE_LEDGER)
    q = request.GET.get("q", "").strip()[:50]
    cadres = cadres_for_user(user)
    if q:
        cadres = cadres.filter(name__contains=q) | cadres.filter(number__startswith=q)
    page = Paginator(selectors.cadre_list(cadres=cadres), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "ledger/cadre_list.html",
        {"page": page, "q": q, "querystring_nopage": urlencode({"q": q} if q else {})},
    )


@login_required
def cadre_ledger(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    member = get_cadre_for_user(user, pk)
    return render(
        request,
        "ledger/cadre_ledger.html",
        {
            "member": member,
            "records": list(selectors.record_list(member=member)),
            "suggestions": selectors.suggestions(member=member),
        },
    )


@login_required
def record_new(request: AuthedRequest, pk: int) -> HttpResponse:
    """A new entry: blank, or a suggestion (its text, dates and shifts) to accept or edit."""
    user = request.user
    member = get_cadre_for_user(user, pk)
    if replay := submit_token_replay(request):
        return replay
    initial = {
        "kind": "outstanding",
        "occurred_from": timezone.localdate(),
        "occurred_until": timezone.localdate(),
    }
    for key in ("text", "occurred_from", "occurred_until", "sources", "suggested"):
        if value := request.GET.get(key, "")[:20000]:
            initial[key] = value
    form = RecordForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def create() -> str:
            services.record_create(
                actor=user,
                member=member,
                kind=data["kind"],
                accountability=data["accountability"],
                occurred_from=data["occurred_from"],
                occurred_until=data["occurred_until"],
                text=data["text"],
                source_keys=data["sources"],
                suggested=data["suggested"],
            )
            messages.success(request, "已记入干部纪实台账。")
            return reverse("ledger_cadre", args=[member.pk])

        if done := submit_once(request, form, create):
            return done
    offered = selectors.sources_for(member=member)
    chosen = set((form["sources"].value() or "").split(","))
    return render(
        request,
        "ledger/record_form.html",
        {
            "member": member,
            "form": form,
            "chosen": [s for s in offered if s.key in chosen],
        },
    )


def _export(request: AuthedRequest, pk: int, ext: str) -> HttpResponse:
    user = request.user
    member = get_cadre_for_user(user, pk)
    records = list(selectors.record_list(member=member))
    audit_record(
        actor=user, action="cadre.export", target=member, label=f"干部纪实台账导出：{member.name}"
    )
    name = download_name(member.name, "干部纪实台账", ext=ext)
    if ext == "docx":
        return attachment_response(exports.ledger_docx(member, records), name, DOCX)
    return attachment_response(exports.ledger_xlsx(member, records), name, XLSX_CONTENT_TYPE)


@login_required
def export_xlsx(request: AuthedRequest, pk: int) -> HttpResponse:
    return _export(request, pk, "xlsx")


@login_required
def export_docx(request: AuthedRequest, pk: int) -> HttpResponse:
    return _export(request, pk, "docx")
