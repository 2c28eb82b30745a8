"""Compliance pages (「规定程序不落项」): the school's units → a unit's branches → a branch's
table of required meetings per period; exemptions and rules for 组织部."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from access.http import AuthedRequest
from access.scope import (
    Perm,
    can,
    get_org_for_user,
    has_perm_anywhere,
    orgs_for_user,
    require_anywhere,
)
from audit.once import submit_once, submit_token_replay
from meetings import services
from meetings.compliance import Compliance, compliance_rows, meeting_figures, unit_summaries
from meetings.forms import ExemptionForm, RuleForm
from meetings.models import ComplianceExemption, ComplianceRule, MeetingKind
from orgs.models import Org, OrgKind

SHORT_PAGE = 50


def _year(request: AuthedRequest) -> int:
    raw = request.GET.get("year", "")
    this = timezone.localdate().year
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= this + 1 else this


def _years() -> list[int]:
    this = timezone.localdate().year
    return list(range(this, this - 5, -1))


@login_required
def compliance(request: AuthedRequest) -> HttpResponse:
    """The school's (or the user's) units and the branches that fall short; ?unit= drills in."""
    user = request.user
    require_anywhere(user, Perm.MEETING_VIEW)
    year = _year(request)
    unit = None
    if request.GET.get("unit", "").isdigit():
        unit = get_org_for_user(user, request.GET["unit"], Perm.MEETING_VIEW)
    rows = compliance_rows(user=user, year=year, within=unit, gaps_only=True)
    if unit is None and len(rows) == 1:  # a branch secretary: their branch's whole table
        branch = rows[0].branch
        return _branch_page(
            request, branch, year, compliance_rows(user=user, year=year, within=branch)
        )
    units = unit_summaries(rows) if unit is None else []
    short = sorted((r for r in rows if r.missing), key=lambda r: (-len(r.missing), r.branch.path))
    page = Paginator(short, SHORT_PAGE).get_page(request.GET.get("page"))
    params = {"year": year, **({"unit": unit.pk} if unit else {})}
    return render(
        request,
        "meetings/compliance.html",
        {
            "year": year,
            "years": _years(),
            "unit": unit,
            "units": units,
            "short": short,
            "page": page,
            "querystring_nopage": urlencode(params),
            "branches": len(rows),
            "can_manage": has_perm_anywhere(user, Perm.COMPLIANCE_MANAGE),
        },
    )


@login_required
def meeting_stats(request: AuthedRequest) -> HttpResponse:
    """Meetings held by kind and the attendance rate, per unit (or per branch of ?unit=)."""
    user = request.user
    require_anywhere(user, Perm.MEETING_VIEW)
    year = _year(request)
    unit = None
    if request.GET.get("unit", "").isdigit():
        unit = get_org_for_user(user, request.GET["unit"], Perm.MEETING_VIEW)
    rows = meeting_figures(user=user, year=year, within=unit)
    kinds = [(k, label) for k, label in MeetingKind.choices]
    return render(
        request,
        "meetings/stats.html",
        {
            "rows": rows,
            "kinds": kinds,
            "table": [(r, [r.by_kind.get(k, 0) for k, _ in kinds]) for r in rows],
            "year": year,
            "years": _years(),
            "unit": unit,
        },
    )


@login_required
def compliance_branch(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    branch = get_org_for_user(user, pk, Perm.MEETING_VIEW)
    if branch.kind != OrgKind.BRANCH:
        raise PermissionDenied
    year = _year(request)
    return _branch_page(request, branch, year, compliance_rows(user=user, year=year, within=branch))


def _branch_page(request: AuthedRequest, branch: Org, year: int, rows: list[Any]) -> HttpResponse:
    user = request.user
    row = rows[0] if rows else None
    return render(
        request,
        "meetings/compliance_branch.html",
        {
            "branch": branch,
            "row": row,
            "year": year,
            "years": _years(),
            "labels": Compliance.LABELS,
            "may_record": can(user, Perm.MEETING_RECORD, branch),
            "can_exempt": can(user, Perm.COMPLIANCE_MANAGE, branch),
            "form": ExemptionForm(),
            "exemptions": ComplianceExemption.objects.filter(
                branch=branch, period__startswith=str(year)
            ).order_by("period", "kind"),
        },
    )


@login_required
@require_POST
def compliance_exempt(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    branch = get_org_for_user(user, pk, Perm.COMPLIANCE_MANAGE)
    url = reverse("compliance_branch", args=[branch.pk])
    form = ExemptionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, str(e))
        return redirect(url)
    data = form.cleaned_data

    def write() -> str:
        services.exemption_create(actor=user, branch=branch, **data)
        messages.success(request, "已登记豁免。")
        return f"{url}?year={data['period'][:4]}"

    response = submit_once(request, None, write, refused_url=url)
    assert response is not None
    return response


@login_required
def compliance_rules(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.MEETING_VIEW)
    manage = has_perm_anywhere(user, Perm.COMPLIANCE_MANAGE)
    if request.method == "POST" and not manage:
        raise PermissionDenied
    if replay := submit_token_replay(request):
        return replay
    orgs = orgs_for_user(user, Perm.COMPLIANCE_MANAGE).filter(depth__gt=1).order_by("path")
    form = RuleForm(request.POST or None, orgs=orgs)
    url = reverse("compliance_rules")
    if request.method == "POST" and request.POST.get("deactivate", "").isdigit():
        rule = ComplianceRule.objects.filter(pk=request.POST["deactivate"]).first()
        if rule is None or (
            rule.org is not None and not can(user, Perm.COMPLIANCE_MANAGE, rule.org)
        ):
            raise PermissionDenied
        target = rule

        def stop() -> str:
            services.rule_deactivate(actor=user, rule=target)
            messages.success(request, "已停用该规定。")
            return url

        response = submit_once(request, None, stop, refused_url=url)
        assert response is not None
        return response
    if request.method == "POST" and form.is_valid():
        data: dict[str, Any] = form.cleaned_data

        def write() -> str:
            services.rule_create(actor=user, **data)
            messages.success(request, "已添加规定。")
            return url

        if response := submit_once(request, form, write):
            return response
    rules = ComplianceRule.objects.select_related("org").order_by("-active", "kind", "starts_on")
    return render(
        request, "meetings/rules.html", {"rules": rules, "form": form, "can_manage": manage}
    )
