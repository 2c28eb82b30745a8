"""门岗登记 pages: the gates, the device page (offline-first, see static/js/gates.js), the
service worker that keeps it working offline, pass codes, figures, exports and imports."""

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from access.http import AuthedRequest
from access.scope import Perm, own_member_id, require_anywhere
from audit.services import audit_record
from config.csp import POLICY
from gates import selectors, services, spreadsheets
from gates.forms import DayForm, GateForm, ImportForm, KeeperForm
from gates.models import PASS_PREFIX, Gate, GateKeeper, Source
from gates.scope import gates_to_register, get_gate_for_user, manages_gates
from lib.params import parse_id, parse_int
from lib.xlsx import XLSX_CONTENT_TYPE
from members.models import Member
from uploads.serving import attachment_response, download_name

SW_SOURCE = Path(settings.BASE_DIR) / "static" / "js" / "gates-sw.js"


def _require_manage(user: Any) -> None:
    require_anywhere(user, Perm.GATE_MANAGE)


# --- gates ------------------------------------------------------------------------------


@login_required
def gate_home(request: AuthedRequest) -> HttpResponse:
    user = request.user
    manage = manages_gates(user)
    gates = list(gates_to_register(user).order_by("campus_id", "name"))
    status = selectors.device_status(gates) if manage else {}
    figures = selectors.day_figures(user=user, day=timezone.localdate()) if manage else None
    totals = figures.totals if figures else {}
    for g in gates:
        g.status = status.get(g.pk)  # type: ignore[attr-defined]
        g.today = totals.get(g.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "gates/home.html",
        {"gates": gates, "manage": manage, "quiet_after": selectors.QUIET_AFTER},
    )


def _gate_form(request: AuthedRequest, gate: Gate | None) -> HttpResponse:
    form = GateForm(request.POST or None, instance=gate)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.gate_save(
                actor=request.user,
                gate=gate,
                campus=form.cleaned_data["campus"],
                name=form.cleaned_data["name"],
                post=form.cleaned_data["post"],
                active=form.cleaned_data["active"],
            )
        except services.GateError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, f"已保存门岗「{saved}」。")
            return redirect("gate_home")
    title = f"编辑门岗 · {gate}" if gate else "新增门岗"
    return render(request, "gates/form.html", {"form": form, "title": title, "gate": gate})


@login_required
def gate_new(request: AuthedRequest) -> HttpResponse:
    _require_manage(request.user)
    return _gate_form(request, None)


@login_required
def gate_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    return _gate_form(request, get_gate_for_user(request.user, pk, manage=True))


@login_required
def gate_keepers(request: AuthedRequest, pk: int) -> HttpResponse:
    gate = get_gate_for_user(request.user, pk, manage=True)
    form = KeeperForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.keeper_assign(
                actor=request.user,
                gate=gate,
                member=form.cleaned_data["member"],
                device_label=form.cleaned_data["device_label"],
            )
        except services.GateError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, "已派驻。")
            return redirect("gate_keepers", pk=gate.pk)
    keepers = gate.keepers.select_related("member", "member__branch").order_by("assigned_at")
    return render(request, "gates/keepers.html", {"gate": gate, "form": form, "keepers": keepers})


@login_required
@require_POST
def keeper_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    keeper = get_object_or_404(GateKeeper.objects.select_related("gate__campus", "member"), pk=pk)
    get_gate_for_user(request.user, keeper.gate_id, manage=True)
    services.keeper_remove(actor=request.user, keeper=keeper)
    messages.success(request, f"已取消{keeper.member.name}的派驻。")
    return redirect("gate_keepers", pk=keeper.gate_id)


# --- the device page --------------------------------------------------------------------


def code_hash(token: str) -> str:
    """What the device's people list holds for a pass code: a hash, so the list cannot
    make codes (static/js/gates.js hashes a scanned code the same way)."""
    return hashlib.sha256(token.encode()).hexdigest()[:20]


@login_required
def gate_register(request: AuthedRequest, pk: int) -> HttpResponse:
    gate = get_gate_for_user(request.user, pk)
    response = render(
        request,
        "gates/register.html",
        {
            "gate": gate,
            "threshold": services.fever_threshold(),
            "lowest": services.LOWEST,
            "highest": services.HIGHEST,
            "pass_prefix": PASS_PREFIX,
        },
    )
    # The scanner decodes in a worker it builds from a blob: allowed on this page only.
    response["Content-Security-Policy"] = (
        POLICY.format(nonce=request.csp_nonce)  # type: ignore[attr-defined]
        + "; worker-src 'self' blob:"
    )
    return response


@login_required
def gate_people(request: AuthedRequest, pk: int) -> HttpResponse:
    """The campus's people, for the device's instant lookup: 学工号, name, pass-code hash."""
    gate = get_gate_for_user(request.user, pk)
    rows = (
        Member.objects.filter(campus_id=gate.campus_id)
        .order_by("number")
        .values_list("number", "name", "pass_code__token")
    )
    people = [{"n": n, "m": m, **({"c": code_hash(t)} if t else {})} for n, m, t in rows.iterator()]
    return JsonResponse({"gate": gate.pk, "at": timezone.now().isoformat(), "people": people})


@login_required
def gate_sw(request: AuthedRequest) -> HttpResponse:
    """The service worker, served from /gates/ so that its scope covers the device page."""
    response = HttpResponse(SW_SOURCE.read_text(), content_type="text/javascript")
    response["Service-Worker-Allowed"] = "/gates/"
    response["Cache-Control"] = "no-cache"
    return response


# --- pass codes -------------------------------------------------------------------------


def _own_member(request: AuthedRequest) -> Member:
    own = own_member_id(request.user)
    if own is None:
        raise PermissionDenied
    return Member.objects.get(pk=own)


@login_required
def my_pass(request: AuthedRequest) -> HttpResponse:
    member = _own_member(request)
    code = services.pass_code_for(member)
    svg = segno.make(PASS_PREFIX + code.token, error="m").svg_inline(scale=8, border=2)
    return render(request, "gates/pass.html", {"member": member, "code": code, "svg": svg})


@login_required
@require_POST
def my_pass_reissue(request: AuthedRequest) -> HttpResponse:
    member = _own_member(request)
    services.pass_code_reissue(actor=request.user, member=member)
    messages.success(request, "已重新签发通行码，旧码即刻失效。")
    return redirect("my_pass")


# --- figures ----------------------------------------------------------------------------


def _day(request: AuthedRequest) -> dt.date:
    form = DayForm(request.GET)
    if form.is_valid() and form.cleaned_data["day"]:
        return form.cleaned_data["day"]  # type: ignore[no-any-return]
    return timezone.localdate()


@login_required
def gate_figures(request: AuthedRequest) -> HttpResponse:
    _require_manage(request.user)
    day = _day(request)
    figures = selectors.day_figures(user=request.user, day=day)
    campus_days = selectors.campus_days(user=request.user, until=day)
    fevers = list(
        selectors.entry_list(
            user=request.user, filters=selectors.EntryFilters(day=day, fever=True)
        )[:50]
    )
    chart = {
        "hours": [f"{h:02d}" for h in figures.hours],
        "gates": [str(g) for g in figures.gates],
        "gate_ids": [g.pk for g in figures.gates],
        "cells": figures.cells,
        "max": max((c[2] for c in figures.cells), default=1),
        "campus_days": campus_days,
        "entries_url": reverse("gate_entries"),
        "day": f"{day:%Y-%m-%d}",
    }
    return render(
        request,
        "gates/figures.html",
        {
            "day": day,
            "figures": figures,
            "fevers": fevers,
            "chart": chart,
            "form": DayForm(initial={"day": day}),
        },
    )


@login_required
def gate_figures_export(request: AuthedRequest) -> HttpResponse:
    _require_manage(request.user)
    day = _day(request)
    figures = selectors.day_figures(user=request.user, day=day)
    campus_days = selectors.campus_days(user=request.user, until=day)
    fevers = selectors.entry_list(
        user=request.user, filters=selectors.EntryFilters(day=day, fever=True)
    )
    data = spreadsheets.figures_xlsx(figures, campus_days, fevers)
    audit_record(
        actor=request.user, action="gate.figures_export", label=f"门岗进出统计导出（{day}）"
    )
    return attachment_response(
        data, download_name("门岗进出统计", f"{day:%Y%m%d}", ext="xlsx"), XLSX_CONTENT_TYPE
    )


@login_required
def gate_entries(request: AuthedRequest) -> HttpResponse:
    """The entries behind a figure: by gate, day, hour, fevers, visitors."""
    _require_manage(request.user)
    gate_id = parse_id(request.GET.get("gate"))
    gate = get_gate_for_user(request.user, gate_id, manage=True) if gate_id else None
    hour = parse_int(request.GET.get("hour"), maximum=23)
    filters = selectors.EntryFilters(
        gate=gate,
        day=_day(request),
        hour=hour,
        fever=request.GET.get("fever") == "1",
        visitors=request.GET.get("visitors") == "1",
    )
    page = Paginator(selectors.entry_list(user=request.user, filters=filters), 50).get_page(
        request.GET.get("page")
    )
    keep = {k: v for k, v in request.GET.items() if k != "page"}
    return render(
        request,
        "gates/entries.html",
        {
            "page": page,
            "filters": filters,
            "gates": Gate.objects.select_related("campus"),
            "querystring_nopage": urlencode(keep),
        },
    )


# --- a device's saved file --------------------------------------------------------------


@login_required
def gate_import(request: AuthedRequest) -> HttpResponse:
    _require_manage(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = _import(request, form.cleaned_data["file"].read())
        except services.GateError as e:
            form.add_error("file", str(e))
    return render(request, "gates/import.html", {"form": form, "result": result})


def _import(request: AuthedRequest, data: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise services.GateError("不是设备导出的登记文件（JSON 格式有误）。") from e
    if not isinstance(doc, dict) or doc.get("format") != "gates-export/1":
        raise services.GateError("不是设备导出的登记文件。")
    gate = Gate.objects.filter(pk=parse_id(doc.get("gate")) or 0).select_related("campus").first()
    if gate is None:
        raise services.GateError("文件中的门岗不存在。")
    raws = doc.get("entries")
    if not isinstance(raws, list):
        raise services.GateError("文件中没有登记。")
    officer = User.objects.filter(pk=parse_id(doc.get("officer")) or 0).first()
    entries, bad = services.entries_from_dicts(raws)
    result = services.entries_sync(
        actor=request.user, officer=officer, gate=gate, entries=entries, source=Source.IMPORT
    )
    return {
        "gate": gate,
        "stored": len(result.stored),
        "known": len(result.known),
        "refused": bad + result.refused,
    }
