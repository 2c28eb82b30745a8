"""报备 pages: thin views over reports.scope, selectors and services."""

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.views.decorators.http import require_POST

from access.http import AuthedRequest
from access.scope import Perm, can, get_org_for_user, has_perm_anywhere, require_anywhere
from audit.once import submit_once, submit_once_write_first, submit_token_replay
from audit.services import audit_record
from lib.xlsx import XLSX_CONTENT_TYPE
from reports import fever, selectors, services, spreadsheets
from reports.builtin import HEALTH
from reports.forms import ReportFormForm, ScheduleForm, field_rows
from reports.models import Report, ReportFormVersion, ReportSchedule
from reports.schema import AnswerForm, display_rows, initial_from
from reports.scope import (
    forms_for_user,
    get_fill_for_user,
    get_form_for_user,
    get_member_reports_for_user,
    get_report_for_user,
    get_schedule_for_user,
    own_member,
    schedule_orgs,
    schedules_for_user,
)
from uploads.serving import attachment_response, download_name

PER_PAGE = 30
# The school-wide page lists the branches with the most missing; the .xlsx has them all.
BRANCHES_SHOWN = 50


def _can(user: Any) -> dict[str, bool]:
    return {
        "manage": has_perm_anywhere(user, Perm.REPORT_FORM_MANAGE),
        "view": has_perm_anywhere(user, Perm.REPORT_VIEW),
    }


def _parse_day(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw[:10]) if raw else None
    except ValueError:
        return None


# --- a member's side ------------------------------------------------------------------------


@login_required
def report_mine(request: AuthedRequest) -> HttpResponse:
    """我的报备: today's reports to make, and the member's history."""
    member = own_member(request.user)
    if member is None:
        raise PermissionDenied
    dues = selectors.member_schedules(member)
    page = Paginator(selectors.member_history(member), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/mine.html",
        {"member": member, "dues": dues, "page": page, "can": _can(request.user)},
    )


def _fill_context(
    request: AuthedRequest, schedule_pk: int, posted_version: str = ""
) -> tuple[Any, ReportSchedule, dt.date, ReportFormVersion | None]:
    """The member, the schedule (with its form and org), the period and the posted version
    (None when none was posted or it is not a version of the schedule's form), in one
    statement (`get_fill_for_user`)."""
    posted = int(posted_version) if posted_version.isdigit() else None
    if posted is not None and posted >= 2**63:  # not a version; and out of a bigint's range
        posted = None
    target = get_fill_for_user(request.user, schedule_pk, posted)
    member, schedule = target.member, target.schedule
    if member is None:
        raise PermissionDenied
    if schedule is None or not selectors.covers(schedule, member):
        raise Http404
    today = timezone.localdate()
    day = _parse_day(request.GET.get("period", "")) or today
    period = schedule.period_of(min(day, today))
    if not schedule.runs_on(period):
        raise Http404
    return member, schedule, period, target.version


@login_required
def report_fill(request: AuthedRequest, pk: int) -> HttpResponse:
    """One screen on a phone: the form, 「复制上次」, and the submit that writes once."""
    user = request.user
    # A POST's token is claimed after the write (submit_once_write_first), so a repeated POST
    # needs no look-up first: the report has no field that a repeat would fail to validate.
    posted = request.POST.get("version", "") if request.method == "POST" else ""
    member, schedule, period, posted_version = _fill_context(request, pk, posted)
    last: Report | None = None
    copied_from: Report | None = None
    copying = False
    initial: dict[str, Any] = {}
    if request.method == "POST":
        # What the page was rendered with: its version, and the report it copied.
        version = posted_version or schedule.form.current_version()
        if (copied := request.POST.get("copied_from", "")).isdigit():
            copied_from = Report.objects.filter(pk=copied, member=member).first()
    else:
        existing = Report.objects.filter(
            member=member, form_id=schedule.form_id, period=period
        ).first()
        if existing is not None:
            messages.info(request, "本期已报备。")
            return redirect("report_detail", existing.pk)
        version = schedule.form.current_version()
        last = selectors.last_report(member, schedule.form_id, period)
        if request.GET.get("copy") == "1" and last is not None:
            copying, copied_from = True, last
            initial = initial_from(version.fields, last.answers, skip_daily=True)
    form = AnswerForm.of(version.fields)(
        request.POST or None,
        request.FILES or None,
        copied=copied_from is not None,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        said: list[tuple[int, str]] = []

        def write() -> str:
            report, created = services.report_submit(
                actor=user,
                member=member,
                schedule=schedule,
                period=period,
                answers=form.answers(),
                version=version,
                copied_from=copied_from,
            )
            if not created:
                said[:] = [(messages.INFO, "本期已报备，没有重复提交。")]
                return reverse("report_detail", args=[report.pk])
            note = "（迟报）" if report.late else ""
            said[:] = [(messages.SUCCESS, f"已提交{schedule.form.name}{note}。")]
            return reverse("report_mine")

        def tell() -> None:
            for level, text in said:
                messages.add_message(request, level, text)

        if done := submit_once_write_first(request, form, write, on_success=tell):
            return done
    return render(
        request,
        "reports/fill.html",
        {
            "schedule": schedule,
            "period": period,
            "due_at": schedule.due_at(period),
            "version": version,
            "form": form,
            "last": last,
            "copying": copying or copied_from is not None,
            "copied_from": copied_from,
            "daily_labels": [f["label"] for f in version.fields if f.get("daily")],
        },
    )


@login_required
def report_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    report = get_report_for_user(request.user, pk)
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "rows": display_rows(report.version.fields, report.answers),
            "fever_threshold": fever.threshold(),
        },
    )


@login_required
def member_reports(request: AuthedRequest, pk: int) -> HttpResponse:
    member = get_member_reports_for_user(request.user, pk)
    page = Paginator(selectors.member_history(member), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "reports/member_reports.html", {"member": member, "page": page})


# --- who is overdue -------------------------------------------------------------------------


def _overdue_args(
    request: AuthedRequest,
) -> tuple[list[ReportSchedule], ReportSchedule | None, dt.date, Any]:
    user = request.user
    require_anywhere(user, Perm.REPORT_VIEW)
    schedules = list(
        schedules_for_user(user).filter(active=True).select_related("form", "org").order_by("id")
    )
    raw = request.GET.get("schedule", "")
    schedule = next((s for s in schedules if str(s.pk) == raw), None)
    if schedule is None and raw:
        schedule = get_schedule_for_user(user, raw) if raw.isdigit() else None
    schedule = schedule or (schedules[0] if schedules else None)
    today = timezone.localdate()
    day = min(_parse_day(request.GET.get("day", "")) or today, today)
    org = None
    if (org_id := request.GET.get("org", "")).isdigit():
        org = get_org_for_user(user, org_id, Perm.REPORT_VIEW)
    return schedules, schedule, day, org


@login_required
def report_overdue(request: AuthedRequest) -> HttpResponse:
    """未报名单: per school, unit and branch, for today or a past day, and who is missing."""
    user = request.user
    schedules, schedule, day, org = _overdue_args(request)
    context: dict[str, Any] = {
        "schedules": schedules,
        "schedule": schedule,
        "day": day,
        "org": org,
        "can": _can(user),
    }
    if schedule is not None:
        period = schedule.period_of(day)
        result = selectors.overdue(user=user, schedule=schedule, period=period, org=org)
        missing: Any = Paginator(
            selectors.Counted(  # type: ignore[arg-type]
                selectors.missing_members(
                    user=user, schedule=schedule, period=period, org=org
                ).only("number", "name", "whereabouts", "branch__name"),  # what a row shows
                result.total.missing,
            ),
            100,
        ).get_page(request.GET.get("page"))
        params = {
            "schedule": schedule.pk,
            "day": day.isoformat(),
            **({"org": org.pk} if org else {}),
        }
        base_query = urlencode({"schedule": schedule.pk, "day": day.isoformat()})
        branches = result.branches[:BRANCHES_SHOWN]
        context |= {
            "result": result,
            "branches": branches,
            "unit_rows": _count_rows(result.units, base_query),
            "branch_rows": _count_rows(branches, base_query),
            "member_rows": _member_rows(missing),
            "missing": missing,
            "query": urlencode(params),
            "base_query": base_query,
        }
    return render(request, "reports/overdue.html", context)


# The overdue page's tables are its bulk (40 units, 50 branches, 100 members): rendered here
# with format_html (escaped as the template would), at a fraction of the template's cost.
_COUNT_ROW = (
    '<tr><td><a href="?{}&amp;org={}">{}</a></td><td>{}</td><td>{}</td><td>{}</td>'
    '<td class="{}">{}</td><td>{}%</td></tr>'
)


def _count_rows(rows: list[selectors.Row], base_query: str) -> str:
    return format_html_join(
        "",
        _COUNT_ROW,
        (
            (
                base_query,
                r.org_id,
                r.name,
                r.counts.expected,
                r.counts.reported,
                r.counts.late,
                "text-danger" if r.counts.missing else "",
                r.counts.missing,
                r.counts.rate,
            )
            for r in rows
        ),
    )


def _member_rows(page: Any) -> str:
    link = reverse("member_reports", args=[0])
    head, tail = link.rsplit("/0/", 1)
    return format_html_join(
        "",
        '<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><a href="{}">报备记录</a></td></tr>',
        (
            (
                m.branch.name,
                m.number,
                m.name,
                m.get_whereabouts_display(),
                f"{head}/{m.pk}/{tail}",
            )
            for m in page
        ),
    )


@login_required
def report_overdue_export(request: AuthedRequest) -> HttpResponse:
    user = request.user
    _, schedule, day, org = _overdue_args(request)
    if schedule is None:
        raise Http404
    period = schedule.period_of(day)
    result = selectors.overdue(user=user, schedule=schedule, period=period, org=org)
    missing = selectors.missing_members(user=user, schedule=schedule, period=period, org=org)
    data = spreadsheets.overdue_xlsx(result, missing)
    audit_record(
        actor=user,
        action="report.overdue_export",
        target=schedule,
        changes={"period": period.isoformat(), "org": org.name if org else "全部"},
        label=f"未报名单导出（{schedule.form.name}，{period}）",
    )
    return attachment_response(
        data,
        download_name("未报名单", schedule.form.name, period.isoformat(), ext="xlsx"),
        XLSX_CONTENT_TYPE,
    )


# --- forms and schedules --------------------------------------------------------------------


def _owners(user: Any) -> Any:
    return schedule_orgs(user).filter(depth__lte=2)


@login_required
def form_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.REPORT_FORM_MANAGE)
    report_forms = forms_for_user(user).select_related("owner").order_by("owner__path", "name")
    return render(
        request,
        "reports/form_list.html",
        {"report_forms": report_forms, "owners": _owners(user), "can": _can(user)},
    )


def _preview(rows: Any) -> AnswerForm | None:
    if rows.is_valid():
        return AnswerForm(fields=rows.schema["fields"], auto_id="preview_%s")
    return None


@login_required
def form_new(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.REPORT_FORM_MANAGE)
    if replay := submit_token_replay(request):
        return replay
    form = ReportFormForm(request.POST or None, owners=_owners(user))
    rows = field_rows(request.POST or None, HEALTH)
    preview = None
    if request.method == "POST" and "preview" in request.POST:
        preview = _preview(rows)
    elif request.method == "POST" and form.is_valid() & rows.is_valid():
        data = form.cleaned_data

        def write() -> str:
            created = services.form_create(
                actor=user,
                owner=data["owner"],
                name=data["name"],
                schema=rows.schema,
                description=data["description"],
            )
            messages.success(request, f"已新建报备表单「{created.name}」。")
            return reverse("report_form_detail", args=[created.pk])

        if done := submit_once(request, form, write):
            return done
    return render(
        request, "reports/form_form.html", {"form": form, "rows": rows, "preview": preview}
    )


@login_required
def form_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.REPORT_FORM_MANAGE)
    report_form = get_form_for_user(user, pk)
    versions = list(report_form.versions.select_related("created_by"))
    current = versions[0]
    return render(
        request,
        "reports/form_detail.html",
        {
            "report_form": report_form,
            "versions": versions,
            "current": current,
            "preview": AnswerForm(fields=current.fields, auto_id="preview_%s"),
            "schedules": report_form.schedules.select_related("org"),
            "can_edit": can(user, Perm.REPORT_FORM_MANAGE, report_form.owner),
        },
    )


@login_required
def form_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """A change makes a new version; reports already made keep theirs."""
    user = request.user
    report_form = get_form_for_user(user, pk, write=True)
    if replay := submit_token_replay(request):
        return replay
    current = report_form.current_version()
    form = ReportFormForm(
        request.POST or None,
        editing=True,
        initial={"name": report_form.name, "description": report_form.description},
    )
    rows = field_rows(request.POST or None, current.schema)
    preview = None
    if request.method == "POST" and "preview" in request.POST:
        preview = _preview(rows)
    elif request.method == "POST" and form.is_valid() & rows.is_valid():
        data = form.cleaned_data

        def write() -> str:
            version = services.form_revise(
                actor=user,
                form=report_form,
                schema=rows.schema,
                name=data["name"],
                description=data["description"],
            )
            messages.success(request, f"已保存，当前为第 {version.number} 版。")
            return reverse("report_form_detail", args=[report_form.pk])

        if done := submit_once(request, form, write):
            return done
    return render(
        request,
        "reports/form_form.html",
        {
            "form": form,
            "rows": rows,
            "preview": preview,
            "report_form": report_form,
            "current": current,
        },
    )


@login_required
@require_POST
def form_ready_made(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.REPORT_FORM_MANAGE)
    raw = request.POST.get("owner", "")
    if not raw.isdigit():
        messages.error(request, "请选择所属党组织。")
        return redirect("report_form_list")
    owner = get_org_for_user(user, raw, Perm.REPORT_FORM_MANAGE)
    made = services.ready_made_install(actor=user, owner=owner)
    if made:
        messages.success(
            request, f"已添加 {len(made)} 个常用表单：{'、'.join(f.name for f in made)}。"
        )
    else:
        messages.info(request, "常用表单已经添加过了。")
    return redirect("report_form_list")


@login_required
def schedule_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.REPORT_VIEW)
    schedules = (
        schedules_for_user(user)
        .select_related("form", "org")
        .order_by("-active", "-starts_on", "id")
    )
    return render(
        request, "reports/schedule_list.html", {"schedules": schedules, "can": _can(user)}
    )


@login_required
def schedule_new(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.REPORT_FORM_MANAGE)
    if replay := submit_token_replay(request):
        return replay
    form = ScheduleForm(
        request.POST or None,
        report_forms=forms_for_user(user).order_by("name"),
        orgs=schedule_orgs(user).exclude(kind="group"),
        initial={"form": request.GET.get("form", "")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def write() -> str:
            services.schedule_create(actor=user, **data)
            messages.success(request, "已安排报备。")
            return reverse("report_schedule_list")

        if done := submit_once(request, form, write):
            return done
    return render(request, "reports/schedule_form.html", {"form": form})


@login_required
@require_POST
def schedule_stop(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    schedule = get_schedule_for_user(user, pk, write=True)
    try:
        services.schedule_stop(actor=user, schedule=schedule)
        messages.success(request, "已停止该报备安排，已提交的报备仍然保留。")
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
    return redirect("report_schedule_list")
