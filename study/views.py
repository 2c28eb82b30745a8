"""学习教育 pages: thin views over study.scope, selectors and services."""

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from access.http import AuthedRequest
from access.scope import (
    Perm,
    can,
    get_org_for_user,
    has_perm_anywhere,
    orgs_for_user,
    own_member_id,
)
from audit.once import submit_once, submit_token_replay
from audit.services import audit_record
from campaigns.models import LIBRARY_STATES, Submission
from lib.params import parse_id
from lib.xlsx import XLSX_CONTENT_TYPE
from meetings.scope import meetings_for_user
from members.models import Member
from study import selectors, services, spreadsheets
from study.forms import PlanForm, SessionForm
from study.models import SessionKind, StudyFile
from study.scope import (
    get_plan_for_user,
    get_session_for_user,
    plans_for_user,
    recording_orgs,
)
from uploads.serving import attached_file_response, attachment_response, download_name

PER_PAGE = 50


def _year(request: AuthedRequest) -> int:
    raw = request.GET.get("year", "")
    this = timezone.localdate().year
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= this + 1 else this


def _member(user: Any) -> Member | None:
    own = own_member_id(user)
    return Member.objects.filter(pk=own).select_related("branch").first() if own else None


def _require_study(user: Any) -> None:
    if own_member_id(user) is None and not has_perm_anywhere(user, Perm.STUDY_VIEW):
        raise PermissionDenied


@login_required
def study_home(request: AuthedRequest) -> HttpResponse:
    """Plans and sessions the user sees; a member's own hours and open self-study first."""
    user = request.user
    _require_study(user)
    year = _year(request)
    member = _member(user)
    page = Paginator(selectors.session_list(user=user, year=year), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "study/home.html",
        {
            "year": year,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 4, -1)),
            "plans": plans_for_user(user)
            .filter(starts_on__year__lte=year, ends_on__year__gte=year)
            .select_related("org")
            .order_by("org__path", "starts_on"),
            "page": page,
            "querystring_nopage": urlencode({"year": year}),
            "mine": selectors.my_study(member=member, year=year, today=timezone.localdate())
            if member
            else None,
            "may_record": has_perm_anywhere(user, Perm.STUDY_RECORD),
            "may_view": has_perm_anywhere(user, Perm.STUDY_VIEW),
        },
    )


@login_required
def plan_new(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not has_perm_anywhere(user, Perm.STUDY_RECORD):
        raise PermissionDenied
    if replay := submit_token_replay(request):
        return replay
    form = PlanForm(request.POST or None, orgs=recording_orgs(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def write() -> str:
            plan = services.plan_create(actor=user, **data)
            messages.success(request, "已建立学习计划。")
            return reverse("study_plan_detail", args=[plan.pk])

        if done := submit_once(request, form, write):
            return done
    return render(request, "study/form.html", {"form": form, "title": "新建学习计划"})


@login_required
def plan_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, pk)
    sessions = plan.sessions.select_related("org").order_by("held_on")
    return render(
        request,
        "study/plan.html",
        {
            "plan": plan,
            "sessions": list(sessions),
            "may_record": can(request.user, Perm.STUDY_RECORD, plan.org),
        },
    )


@login_required
def session_new(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not has_perm_anywhere(user, Perm.STUDY_RECORD):
        raise PermissionDenied
    if replay := submit_token_replay(request):
        return replay
    orgs = recording_orgs(user)
    initial: dict[str, Any] = {}
    if plan_id := parse_id(request.GET.get("plan")):
        initial["plan"] = plan_id
    form = SessionForm(
        request.POST or None,
        initial=initial,
        orgs=orgs,
        plans=plans_for_user(user).filter(
            ends_on__gte=timezone.localdate().replace(month=1, day=1)
        ),
        meetings=meetings_for_user(user, Perm.MEETING_RECORD)
        .filter(held_at__isnull=False, state__in=services.COUNTED_MEETINGS)
        .select_related("org")
        .filter(held_at__gte=timezone.now() - dt.timedelta(days=400))
        .order_by("-held_at"),
        library=Submission.objects.filter(state__in=LIBRARY_STATES).order_by("-submitted_at"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def write() -> str:
            session = services.session_create(
                actor=user, upload_ids=request.POST.getlist("upload_ids"), **data
            )
            messages.success(request, "已记录学习活动。")
            return reverse("study_session_detail", args=[session.pk])

        if done := submit_once(request, form, write):
            return done
    return render(
        request, "study/form.html", {"form": form, "title": "记录学习活动", "uploader": True}
    )


@login_required
def session_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    session = get_session_for_user(user, pk)
    member = _member(user)
    rows = list(session.attendance.select_related("member__branch").order_by("member__number"))
    done = member is not None and any(r.member_id == member.pk for r in rows)
    may_view = can(user, Perm.STUDY_VIEW, session.org)
    return render(
        request,
        "study/session.html",
        {
            "s": session,
            "rows": rows if may_view else [r for r in rows if member and r.member_id == member.pk],
            "count": len(rows),
            "files": list(session.files.all()),
            "library": list(session.library_items.all()),
            "may_mark": member is not None
            and session.kind == SessionKind.SELF_STUDY
            and not done
            and member.branch.path.startswith(session.org.path),
            "done": done,
        },
    )


@login_required
@require_POST
def session_done(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    session = get_session_for_user(user, pk)
    member = _member(user)
    if member is None:
        raise PermissionDenied
    url = reverse("study_session_detail", args=[session.pk])

    def write() -> str:
        services.self_study_done(actor=user, session=session, member=member)
        messages.success(request, f"已记录本次自学，计 {session.hours} 学时。")
        return url

    return submit_once(request, None, write, refused_url=url) or redirect(url)


@login_required
@require_safe
def study_file(request: AuthedRequest, pk: int) -> Any:
    file = StudyFile.objects.filter(pk=pk).first()
    if file is None:
        raise Http404
    get_session_for_user(request.user, file.session_id)
    return attached_file_response(request, file)


def _within(request: AuthedRequest) -> Any:
    if pk := parse_id(request.GET.get("org")):
        return get_org_for_user(request.user, pk, Perm.STUDY_VIEW)
    return None


@login_required
def hours(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not has_perm_anywhere(user, Perm.STUDY_VIEW):
        raise PermissionDenied
    year, within = _year(request), _within(request)
    qs = selectors.hours_by_member(user=user, year=year, within=within)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    params = {"year": year, **({"org": within.pk} if within else {})}
    return render(
        request,
        "study/hours.html",
        {
            "page": page,
            "year": year,
            "within": within,
            "figures": selectors.hours_figures(user=user, year=year) if within is None else [],
            "branches": orgs_for_user(user, Perm.STUDY_VIEW).branches().only("pk", "name"),
            "querystring_nopage": urlencode(params),
            "export_query": urlencode(params),
        },
    )


@login_required
def hours_export(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not has_perm_anywhere(user, Perm.STUDY_VIEW):
        raise PermissionDenied
    year, within = _year(request), _within(request)
    data = spreadsheets.hours_xlsx(
        year, selectors.hours_by_member(user=user, year=year, within=within)
    )
    audit_record(
        actor=user,
        action="study.hours_export",
        target=within,
        label=f"{year}年学时导出（{within.name if within else '全部'}）",
    )
    return attachment_response(data, download_name(f"{year}年学时", ext="xlsx"), XLSX_CONTENT_TYPE)
