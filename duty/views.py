"""Duty pages: a member's shifts and check-in, person-times figures, pledges, zones, teams."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
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
    has_perm_anywhere,
    orgs_for_user,
    own_member_id,
    require_anywhere,
)
from audit.context import client_address
from audit.once import submit_once, submit_token_replay
from audit.services import audit_record
from duty import selectors, services, spreadsheets
from duty.forms import DutyLogForm, PledgeForm, SignForm, StatsFilterForm, TeamForm, ZoneForm
from duty.models import DutyCheck, DutyLog, PledgeSignature
from duty.scope import (
    get_assignment_for_user,
    get_pledge_for_user,
    get_team_for_user,
    get_zone_for_user,
    pledge_addresses_user,
    pledge_view_roots,
    teams_for_user,
    zones_for_user,
)
from duty.services import CHECK_IN_EARLY, CHECK_OUT_LATE, shift_times
from lib.params import parse_id
from lib.xlsx import XLSX_CONTENT_TYPE
from uploads.serving import attachment_response, download_name

XLSX = XLSX_CONTENT_TYPE


def _xlsx(data: bytes, *name: str) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return attachment_response(data, download_name(*name, stamp, ext="xlsx"), XLSX)


def _ip(request: AuthedRequest) -> str | None:
    return client_address(request)


def _is_manager(user: Any) -> dict[str, bool]:
    return {
        "stats": has_perm_anywhere(user, Perm.DUTY_STATS),
        "pledges": has_perm_anywhere(user, Perm.PLEDGE_VIEW),
        "pledge_manage": has_perm_anywhere(user, Perm.PLEDGE_MANAGE),
        "groups": has_perm_anywhere(user, Perm.MEMBER_VIEW),
        "team_manage": has_perm_anywhere(user, Perm.TEAM_MANAGE),
    }


# --- landing page ---------------------------------------------------------------------------


@login_required
def duty_home(request: AuthedRequest) -> HttpResponse:
    user = request.user
    can_do = _is_manager(user)
    figure = None
    if can_do["stats"]:
        figure = selectors.stats_queryset(user=user, filters=selectors.StatsFilters()).count()
    return render(
        request,
        "duty/home.html",
        {
            "shifts": selectors.my_shifts(user=user),
            "records": selectors.my_records(user=user, limit=20),
            "is_member": own_member_id(user) is not None,
            "to_sign": selectors.pledges_to_sign(user=user),
            "can": can_do,
            "figure": figure,
            "early_minutes": int(CHECK_IN_EARLY.total_seconds() // 60),
        },
    )


# --- a shift: check in, check out, log ------------------------------------------------------


def _shift_context(request: AuthedRequest, assignment: Any, form: Any = None) -> dict[str, Any]:
    user = request.user
    times = shift_times(assignment)
    now = timezone.now()
    check = DutyCheck.objects.for_shift(assignment).first()
    own = assignment.member.user_id == user.pk
    return {
        "a": assignment,
        "times": times,
        "check": check,
        "own": own,
        "now": now,
        "in_window": times.check_in_opens <= now <= times.check_in_closes,
        "out_window": now <= times.check_out_closes,
        "logs": list(DutyLog.objects.for_shift(assignment).select_related("written_by", "member")),
        "handover": selectors.handover_for(assignment),
        "form": form or (DutyLogForm() if own and check else None),
        "early_minutes": int(CHECK_IN_EARLY.total_seconds() // 60),
        "late_hours": int(CHECK_OUT_LATE.total_seconds() // 3600),
    }


@login_required
def duty_shift(request: AuthedRequest, pk: int) -> HttpResponse:
    assignment = get_assignment_for_user(request.user, pk)
    return render(request, "duty/shift.html", _shift_context(request, assignment))


@login_required
@require_POST
def duty_check_in(request: AuthedRequest, pk: int) -> HttpResponse:
    assignment = get_assignment_for_user(request.user, pk, write=True)
    try:
        services.duty_check_in(actor=request.user, assignment=assignment, ip=_ip(request))
    except ValidationError as e:
        messages.error(request, e.messages[0])
    else:
        messages.success(request, "签到成功，辛苦了！")
    return redirect("duty_shift", pk=assignment.pk)


@login_required
@require_POST
def duty_check_out(request: AuthedRequest, pk: int) -> HttpResponse:
    assignment = get_assignment_for_user(request.user, pk, write=True)
    try:
        services.duty_check_out(actor=request.user, assignment=assignment)
    except ValidationError as e:
        messages.error(request, e.messages[0])
    else:
        messages.success(request, "已签退。")
    return redirect("duty_shift", pk=assignment.pk)


@login_required
@require_POST
def duty_log_new(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    assignment = get_assignment_for_user(user, pk, write=True)
    if replay := submit_token_replay(request):
        return replay
    form = DutyLogForm(request.POST)
    if form.is_valid():

        def write() -> str:
            services.duty_log_create(actor=user, assignment=assignment, **form.cleaned_data)
            url = reverse("duty_shift", args=[assignment.pk])
            messages.success(request, "值班日志已保存。")
            return url

        if done := submit_once(request, form, write):
            return done
    assignment = get_assignment_for_user(user, pk)
    return render(request, "duty/shift.html", _shift_context(request, assignment, form))


# --- person-times ---------------------------------------------------------------------------


def _stats_filters(params: Any) -> tuple[StatsFilterForm, selectors.StatsFilters]:
    form = StatsFilterForm(params)
    data = form.cleaned_data if form.is_valid() else {}
    return form, selectors.StatsFilters(
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        scheduled=bool(data.get("scheduled")),
        phase=data.get("phase"),
        post=data.get("post"),
        campus=data.get("campus"),
        unit=data.get("unit"),
    )


STATS_KEYS = ("date_from", "date_to", "scheduled", "phase", "post", "campus", "unit")
MEMBER_ROWS = 100


@login_required
def duty_stats(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.DUTY_STATS)
    form, filters = _stats_filters(request.GET)
    figures = selectors.person_times(user=user, filters=filters, member_limit=MEMBER_ROWS)
    units = selectors.unit_names_for({r["branch_path"] for r in figures.by_member})
    params = {k: request.GET[k] for k in STATS_KEYS if request.GET.get(k)}
    context = {
        "form": form,
        "filters": filters,
        "figures": figures,
        "chart": figures.chart(),
        "member_rows": [
            {**r, "unit": units.get(r["branch_path"][: selectors.UNIT_PATH_LENGTH], "")}
            for r in figures.by_member
        ],
        "member_limit": MEMBER_ROWS,
        "choices": selectors.stats_choices(user),
        "querystring": urlencode(params),
    }
    template = "duty/stats.html"
    if request.htmx and not request.htmx.boosted:
        template += "#figures"
    return render(request, template, context)


@login_required
def duty_stats_export(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.DUTY_STATS)
    _, filters = _stats_filters(request.GET)
    figures = selectors.person_times(user=user, filters=filters)
    units = selectors.unit_names_for({r["branch_path"] for r in figures.by_member})
    data = spreadsheets.person_times_xlsx(figures, filters, units)
    audit_record(
        actor=user,
        action="duty.stats_export",
        label="值班人次统计导出",
        changes={"filters": {k: request.GET[k] for k in STATS_KEYS if request.GET.get(k)}},
    )
    return _xlsx(data, "值班人次统计")


# --- pledges --------------------------------------------------------------------------------


@login_required
def pledge_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if own_member_id(user) is None:
        require_anywhere(user, Perm.PLEDGE_VIEW)
    return render(
        request,
        "duty/pledge_list.html",
        {
            "pledges": selectors.pledge_list(user=user),
            "can_create": has_perm_anywhere(user, Perm.PLEDGE_MANAGE),
        },
    )


def _pledge_orgs(user: Any) -> Any:
    return orgs_for_user(user, Perm.PLEDGE_MANAGE).order_by("path")


@login_required
def pledge_new(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.PLEDGE_MANAGE)
    if replay := submit_token_replay(request):
        return replay
    form = PledgeForm(request.POST or None, orgs=_pledge_orgs(user))
    if request.method == "POST" and form.is_valid():

        def write() -> str:
            pledge = services.pledge_create(actor=user, **form.cleaned_data)
            url = reverse("pledge_detail", args=[pledge.pk])
            messages.success(request, "承诺书已发布。")
            return url

        if done := submit_once(request, form, write):
            return done
    return render(request, "duty/form.html", {"form": form, "title": "发布承诺书"})


@login_required
def pledge_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    pledge = get_pledge_for_user(user, pk, write=True)
    form = PledgeForm(request.POST or None, instance=pledge, orgs=_pledge_orgs(user))
    original = get_pledge_for_user(user, pk, write=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.pledge_update(actor=user, pledge=original, **form.cleaned_data)
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, "已保存。")
            return redirect("pledge_detail", pk=pledge.pk)
    return render(
        request,
        "duty/form.html",
        {"form": form, "title": f"编辑承诺书：{original.title}", "back": original},
    )


@login_required
def pledge_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    pledge = get_pledge_for_user(user, pk)
    own = own_member_id(user)
    mine = PledgeSignature.objects.filter(pledge=pledge, member_id=own).first() if own else None
    addressed = pledge_addresses_user(user, pledge)
    closed = pledge.closes_on is not None and timezone.localdate() > pledge.closes_on
    branches = (
        selectors.pledge_branches(user=user, pledge=pledge)
        if pledge_view_roots(user, pledge)
        else []
    )
    branch_id = request.GET.get("branch", "")
    unsigned_page = None
    if branches:
        members = selectors.pledge_members(
            user,
            pledge,
            unsigned_only=True,
            branch_id=parse_id(branch_id),
        )
        unsigned_page = Paginator(members, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "duty/pledge_detail.html",
        {
            "pledge": pledge,
            "mine": mine,
            "may_sign": addressed and mine is None and not closed,
            "closed": closed,
            "sign_form": SignForm() if addressed and mine is None and not closed else None,
            "branches": branches,
            "totals": {k: sum(b[k] for b in branches) for k in ("expected", "signed", "unsigned")},
            "branch_id": parse_id(branch_id),
            "page": unsigned_page,
            "querystring_nopage": urlencode({"branch": branch_id} if branch_id else {}),
            "can_edit": can(user, Perm.PLEDGE_MANAGE, pledge.org),
        },
    )


@login_required
@require_POST
def pledge_sign(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    pledge = get_pledge_for_user(user, pk)
    if not pledge_addresses_user(user, pledge):
        raise PermissionDenied
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            services.pledge_sign(actor=user, pledge=pledge, ip=_ip(request), **form.cleaned_data)
        except ValidationError as e:
            messages.error(request, e.messages[0])
        else:
            messages.success(request, "签署成功。签名已记录，不能修改。")
    else:
        errors = [m for field_errors in form.errors.values() for m in field_errors]
        messages.error(request, str(errors[0]) if errors else "请检查填写内容。")
    return redirect("pledge_detail", pk=pledge.pk)


@login_required
def pledge_export(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    pledge = get_pledge_for_user(user, pk)
    if not pledge_view_roots(user, pledge):
        raise PermissionDenied
    branches = selectors.pledge_branches(user=user, pledge=pledge)
    members = selectors.pledge_members(user, pledge)
    signatures = selectors.pledge_signatures(pledge, members)
    units = selectors.unit_names_for({b["path"] for b in branches})
    data = spreadsheets.pledge_xlsx(pledge, branches, members, signatures, units)
    audit_record(actor=user, action="pledge.export", target=pledge, label=f"签署情况导出：{pledge}")
    return _xlsx(data, "签署情况", pledge.title)


# --- zones and teams ------------------------------------------------------------------------


def _require_group_view(user: Any) -> None:
    if own_member_id(user) is None:
        require_anywhere(user, Perm.MEMBER_VIEW)


def _group_list(request: AuthedRequest, qs: Any, template: str) -> HttpResponse:
    user = request.user
    _require_group_view(user)
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    if q:
        qs = qs.filter(name__contains=q)
    if kind:
        qs = qs.filter(kind=kind)
    page = Paginator(qs.order_by("org__path", "name"), 50).get_page(request.GET.get("page"))
    params = {k: request.GET[k] for k in ("q", "kind") if request.GET.get(k)}
    return render(
        request,
        template,
        {
            "page": page,
            "q": q,
            "kind": kind,
            "can_manage": has_perm_anywhere(user, Perm.TEAM_MANAGE),
            "querystring": urlencode(params),
            "querystring_nopage": urlencode(params),
        },
    )


@login_required
def zone_list(request: AuthedRequest) -> HttpResponse:
    qs = zones_for_user(request.user).prefetch_related("members")
    return _group_list(request, qs, "duty/zone_list.html")


@login_required
def team_list(request: AuthedRequest) -> HttpResponse:
    qs = teams_for_user(request.user).prefetch_related("members")
    return _group_list(request, qs, "duty/team_list.html")


@login_required
def zone_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    zone = get_zone_for_user(request.user, pk)
    return render(
        request,
        "duty/group_detail.html",
        {
            "g": zone,
            "members": zone.members.select_related("branch").order_by("branch__path", "number"),
            "is_team": False,
            "can_edit": can(request.user, Perm.TEAM_MANAGE, zone.org),
        },
    )


@login_required
def team_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    team = get_team_for_user(request.user, pk)
    return render(
        request,
        "duty/group_detail.html",
        {
            "g": team,
            "members": team.members.select_related("branch").order_by("branch__path", "number"),
            "is_team": True,
            "can_edit": can(request.user, Perm.TEAM_MANAGE, team.org),
        },
    )


def _group_form(request: AuthedRequest, obj: Any, is_team: bool) -> HttpResponse:
    user = request.user
    orgs = orgs_for_user(user, Perm.TEAM_MANAGE).order_by("path")
    members = selectors.member_choices(user)
    form_class = TeamForm if is_team else ZoneForm
    if replay := submit_token_replay(request):
        return replay
    form = form_class(request.POST or None, instance=obj, orgs=orgs, members=members)
    original = obj.__class__.objects.get(pk=obj.pk) if obj is not None and obj.pk else None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def write() -> str:
            if is_team:
                saved: Any = services.team_save(
                    actor=user,
                    team=original,
                    name=data["name"],
                    kind=data["kind"],
                    org=data["org"],
                    description=data["description"],
                    leader=data["leader"],
                    members=data["members"],
                )
            else:
                saved = services.zone_save(
                    actor=user,
                    zone=original,
                    name=data["name"],
                    kind=data["kind"],
                    org=data["org"],
                    description=data["description"],
                    members=data["members"],
                )
            url = reverse("team_detail" if is_team else "zone_detail", args=[saved.pk])
            messages.success(request, "已保存。")
            return url

        if done := submit_once(request, form, write):
            return done
    noun = "党员先锋队 / 突击队" if is_team else "党员责任区"
    title = f"编辑：{original}" if original else f"新建{noun}"
    return render(request, "duty/form.html", {"form": form, "title": title, "back": original})


@login_required
def zone_new(request: AuthedRequest) -> HttpResponse:
    require_anywhere(request.user, Perm.TEAM_MANAGE)
    return _group_form(request, None, is_team=False)


@login_required
def zone_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    zone = get_zone_for_user(request.user, pk, write=True)
    return _group_form(request, zone, is_team=False)


@login_required
def team_new(request: AuthedRequest) -> HttpResponse:
    require_anywhere(request.user, Perm.TEAM_MANAGE)
    return _group_form(request, None, is_team=True)


@login_required
def team_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    team = get_team_for_user(request.user, pk, write=True)
    return _group_form(request, team, is_team=True)


def _group_export(request: AuthedRequest, qs: Any, title: str, teams: bool) -> HttpResponse:
    user = request.user
    _require_group_view(user)
    qs = qs.prefetch_related("members__branch").order_by("org__path", "name")
    data = spreadsheets.groups_xlsx(title, qs, teams=teams)
    audit_record(actor=user, action="team.export" if teams else "zone.export", label=f"{title}导出")
    return _xlsx(data, title)


@login_required
def zone_export(request: AuthedRequest) -> HttpResponse:
    return _group_export(request, zones_for_user(request.user), "党员责任区", teams=False)


@login_required
def team_export(request: AuthedRequest) -> HttpResponse:
    return _group_export(request, teams_for_user(request.user), "先锋队突击队", teams=True)
