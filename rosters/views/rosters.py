"""Rosters (值班表): solve with live progress, hand edit, publish, print, export, problem
and solution files."""

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from access.http import AuthedRequest
from access.scope import Perm
from audit.services import audit_record
from lib.params import parse_id
from lib.roster import FormatError, Problem, Result
from members.models import Member
from rosters import selectors, services
from rosters.forms import RosterSettingsForm, UploadForm, parse_date
from rosters.models import Allocation, Assignment, Roster
from rosters.problems import days, problem_build, roster_posts, roster_settings
from rosters.scope import get_phase_for_user, get_roster_for_user, roster_people
from rosters.spreadsheets import roster_xlsx
from rosters.views.common import XLSX
from uploads.serving import attachment_response, download_name

WORKER_WAIT_S = 10


@login_required
@require_POST
def roster_create(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    phase = get_phase_for_user(user, pk, Perm.ROSTER_MANAGE)
    roster = services.roster_create(actor=user, phase=phase, org=phase.org)
    return redirect("roster_detail", pk=roster.pk)


def _roster_context(request: AuthedRequest, roster: Roster) -> dict[str, Any]:
    user = request.user
    posts = roster_posts(roster)
    phase_days = days(roster.phase.starts_on, roster.phase.ends_on)
    day = parse_date(request.GET.get("day") or request.POST.get("day")) or phase_days[0]
    if day not in phase_days:
        day = phase_days[0]
    allocated: dict[int, list[Member]] = {}
    for a in (
        Allocation.objects.filter(phase=roster.phase, post__in=posts)
        .select_related("member")
        .order_by("member__name")
    ):
        allocated.setdefault(a.post_id, []).append(a.member)
    rows = selectors.roster_grid(roster, user=user, day=day)
    for row in rows:
        on = {a.member_id for a in row["people"]}
        row["choices"] = [m for m in allocated.get(row["post"].pk, []) if m.pk not in on]
        row["key"] = f"{row['post'].pk}|{row['date'].isoformat()}|{row['slot']}"
    return {
        "roster": roster,
        "rows": rows,
        "day": day,
        "days": phase_days,
        "posts": posts,
        "editable": roster.state == Roster.State.DRAFT and not roster.is_solving,
    }


@login_required
def roster_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    roster = get_roster_for_user(user, pk)
    services.roster_solve_expire(roster=roster)
    context = _roster_context(request, roster)
    conf = roster_settings(roster)
    context.update(
        {
            "settings_form": RosterSettingsForm(
                initial=RosterSettingsForm.initial_from(conf, roster.version)
            ),
            "upload_form": UploadForm(initial={"version": roster.version}),
            "load": selectors.roster_load(roster)[:200],
            "n_assignments": roster.assignments.count(),
        }
    )
    context.update(_status_context(roster))
    return render(request, "rosters/roster_detail.html", context)


def _status_context(roster: Roster) -> dict[str, Any]:
    waited = (
        (timezone.now() - roster.solve_queued_at).total_seconds() if roster.solve_queued_at else 0
    )
    return {
        "roster": roster,
        "progress": roster.solve_progress or {},
        "no_worker": roster.solve_state == Roster.SolveState.QUEUED and waited > WORKER_WAIT_S,
        "reasons": [r for r in roster.solve_message.splitlines() if r.strip()],
    }


@login_required
def roster_status(request: AuthedRequest, pk: int) -> HttpResponse:
    """The solve status partial the page polls every second while a solve runs."""
    roster = get_roster_for_user(request.user, pk)
    services.roster_solve_expire(roster=roster)
    response = render(request, "rosters/roster_detail.html#status", _status_context(roster))
    if request.GET.get("polling") and not roster.is_solving:
        response["HX-Refresh"] = "true"  # the solve ended: reload to show the new roster
    return response


CONFIRM_TITLES = {"solve": "重新自动排班", "unpublish": "撤回发布", "delete": "删除值班表"}


def _confirm(request: AuthedRequest, roster: Roster, action: str) -> HttpResponse:
    """The page that asks first and says what the action will change."""
    return render(
        request,
        "rosters/roster_confirm.html",
        {
            "roster": roster,
            "action": action,
            "title": CONFIRM_TITLES[action],
            "summary": selectors.roster_change_summary(roster),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def roster_solve(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    roster = get_roster_for_user(user, pk)
    if request.method == "GET":
        return _confirm(request, roster, "solve")
    try:
        services.roster_solve_request(actor=user, roster=roster)
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    return redirect("roster_detail", pk=roster.pk)


@login_required
@require_http_methods(["GET", "POST"])
def roster_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    roster = get_roster_for_user(user, pk)
    if request.method == "GET":
        return _confirm(request, roster, "delete")
    phase_id = roster.phase_id
    try:
        done = services.roster_delete(actor=user, roster=roster)
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
        return redirect("roster_detail", pk=roster.pk)
    messages.success(
        request,
        f"已删除值班表，移除 {done['assignments']} 条安排；"
        f"{done['check_ins']} 条签到记录和 {done['logs']} 篇值班日志均已保留。",
    )
    return redirect("phase_detail", pk=phase_id)


@login_required
@require_POST
def roster_stop(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    roster = get_roster_for_user(user, pk)
    services.roster_solve_stop(actor=user, roster=roster)
    if request.htmx:
        roster.refresh_from_db()
        return render(request, "rosters/roster_detail.html#status", _status_context(roster))
    return redirect("roster_detail", pk=roster.pk)


@login_required
@require_POST
def roster_settings_view(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    roster = get_roster_for_user(user, pk)
    form = RosterSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.roster_settings_update(
                actor=user,
                roster=roster,
                version=form.cleaned_data["version"],
                settings=form.settings(),
            )
        except ValidationError as e:
            messages.error(request, "；".join(e.messages))
        else:
            messages.success(request, "已保存排班设置。")
    else:
        messages.error(
            request,
            "排班设置有误："
            + "；".join(
                f"{form.fields[k].label}：{v[0]}"
                for k, v in form.errors.items()
                if k in form.fields
            ),
        )
    return redirect("roster_detail", pk=roster.pk)


@login_required
@require_POST
def roster_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Assign, unassign, swap, pin (htmx): the grid comes back re-rendered with the result."""
    user = request.user
    roster = get_roster_for_user(user, pk)
    version = parse_id(request.POST.get("version")) or 0
    op, _, arg = request.POST.get("op", "").partition(":")
    error, done = "", ""
    try:
        if op == "add":
            post_id, date, slot = arg.split("|", 2)
            member_id = parse_id(request.POST.get(f"member_{arg}"))
            if member_id is None:
                raise ValidationError("请选择人员。")
            posts = roster_posts(roster)
            post = next((p for p in posts if p.pk == int(post_id)), None)
            if post is None:
                raise ValidationError("该岗位不在本值班表中。")
            member = get_object_or_404(roster_people(roster), pk=member_id)
            services.assignment_add(
                actor=user,
                roster=roster,
                version=version,
                post=post,
                date=dt.date.fromisoformat(date),
                slot=slot,
                member=member,
            )
            done = f"已安排 {member.name}。"
        elif op in ("remove", "pin", "unpin"):
            assignment = get_object_or_404(
                Assignment.objects.select_related("member", "post"), pk=parse_id(arg), roster=roster
            )
            if op == "remove":
                services.assignment_remove(
                    actor=user, roster=roster, version=version, assignment=assignment
                )
                done = f"已移除 {assignment.member.name}。"
            else:
                services.assignment_pin(
                    actor=user,
                    roster=roster,
                    version=version,
                    assignment=assignment,
                    pinned=op == "pin",
                )
                done = "已锁定。" if op == "pin" else "已解锁。"
        elif op == "swap":
            picked = [parse_id(v) for v in request.POST.getlist("pick")]
            if len(picked) != 2:
                raise ValidationError("请勾选两个人再对调。")
            first, second = (get_object_or_404(Assignment, pk=p, roster=roster) for p in picked)
            services.assignment_swap(
                actor=user, roster=roster, version=version, first=first, second=second
            )
            done = "已对调。"
        else:
            raise ValidationError("未知操作。")
    except ValidationError as e:
        error = "；".join(e.messages)
    except ValueError:  # a mangled shift key (post|date|slot)
        error = "操作参数有误，请刷新页面后再试。"
    roster.refresh_from_db()
    context = _roster_context(request, roster)
    # The page's other forms (publish, settings, upload) carry the version too: an htmx edit
    # brings them the new one, so publishing after a hand edit is not refused as stale.
    context.update({"error": error, "done": done, "oob_version": True})
    if request.htmx:
        return render(request, "rosters/roster_detail.html#grid", context)
    if error:
        messages.error(request, error)
    elif done:
        messages.success(request, done)
    return redirect(f"{reverse('roster_detail', args=[roster.pk])}?day={context['day']}")


@login_required
@require_http_methods(["GET", "POST"])
def roster_publish(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    roster = get_roster_for_user(user, pk)
    if request.method == "GET":
        if roster.state != Roster.State.PUBLISHED:
            return redirect("roster_detail", pk=roster.pk)
        return _confirm(request, roster, "unpublish")
    publish = request.POST.get("publish") != "0"
    try:
        services.roster_publish(
            actor=user,
            roster=roster,
            version=parse_id(request.POST.get("version")) or 0,
            publish=publish,
        )
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    else:
        messages.success(
            request, "值班表已发布，党员可在「我的值班」查看。" if publish else "已撤回发布。"
        )
    return redirect("roster_detail", pk=roster.pk)


def _print_groups(
    request: AuthedRequest, roster: Roster
) -> tuple[str, list[tuple[str, list[dict[str, Any]]]]]:
    by = request.GET.get("by", "day")
    rows = selectors.roster_grid(
        roster,
        user=request.user,
        post_id=parse_id(request.GET.get("post")),
        campus_id=parse_id(request.GET.get("campus")),
        day=parse_date(request.GET.get("day")),
    )
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if by == "post":
            key = f"{row['campus']} {row['post'].name}".strip()
        elif by == "campus":
            key = row["campus"] or "未指定校区"
        else:
            key = f"{row['date']:%Y年%m月%d日}"
        groups.setdefault(key, []).append(row)
    return by, list(groups.items())


def _full_phones(rows: list[dict[str, Any]]) -> int:
    """How many full (unmasked) phone numbers the rows show."""
    return sum(1 for row in rows for phone in row["phones"] if phone and "*" not in phone)


@login_required
def roster_print(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    roster = get_roster_for_user(user, pk)
    by, groups = _print_groups(request, roster)
    shown = _full_phones([row for _, rows in groups for row in rows])
    if shown:  # a bulk read of personal data leaves its trace
        audit_record(
            actor=user,
            action="roster.print",
            target=roster,
            label=f"{roster} 值班表打印（含完整手机号）",
            changes={"full_phones": shown, "by": by},
        )
    return render(
        request, "rosters/roster_print.html", {"roster": roster, "by": by, "groups": groups}
    )


@login_required
def roster_export(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    roster = get_roster_for_user(user, pk)
    rows = selectors.roster_grid(roster, user=user)
    data = roster_xlsx(title=f"{roster.phase.name}值班表（{roster.org.name}）", groups=rows)
    audit_record(
        actor=user,
        action="roster.export",
        target=roster,
        label=f"{roster} 值班表导出",
        changes={"full_phones": _full_phones(rows)},
    )
    return attachment_response(data, download_name("值班表", roster.phase.name, ext="xlsx"), XLSX)


@login_required
def roster_problem(request: AuthedRequest, pk: int) -> HttpResponse:
    """The roster's problem in the documented JSON format (docs/roster-format.md)."""
    user = request.user
    roster = get_roster_for_user(user, pk)
    built = problem_build(roster)
    audit_record(actor=user, action="roster.problem_export", target=roster)
    body = json.dumps(built.problem.to_dict(), ensure_ascii=False, indent=1)
    name = download_name("排班问题", roster.phase.name, ext="json")
    return attachment_response(body, name, "application/json; charset=utf-8")


@login_required
@require_POST
def roster_import(request: AuthedRequest, pk: int) -> HttpResponse:
    """Upload a problem file (solved in the background from it) or a solution file (its
    assignments imported, every hard rule checked)."""
    user = request.user
    roster = get_roster_for_user(user, pk)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("roster_detail", pk=roster.pk)
    data = form.cleaned_data["file"]
    try:
        if "assignments" in data and "status" in data:
            n = services.roster_import_result(
                actor=user,
                roster=roster,
                version=form.cleaned_data["version"],
                result=Result.from_dict(data),
            )
            messages.success(request, f"已导入 {n} 条安排。")
        else:
            problem = Problem.from_dict(data)
            _problem_fits(roster, problem)
            services.roster_solve_request(actor=user, roster=roster, problem=problem.to_dict())
            messages.success(request, "已按上传的问题文件开始排班。")
    except (FormatError, KeyError, TypeError) as e:
        messages.error(request, f"文件格式错误：{e}")
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    return redirect("roster_detail", pk=roster.pk)


def _problem_fits(roster: Roster, problem: Problem) -> None:
    """An uploaded problem may change people's availability, rules and weights, but its shifts
    and people must be this roster's."""
    built = problem_build(roster)
    shifts = {s.id for s in built.problem.shifts}
    extra = [s.id for s in problem.shifts if s.id not in shifts]
    if extra:
        raise ValidationError(f"问题文件中的班次 {extra[0]} 不属于本值班表。")
    # Only the roster's own people, on the posts they are allocated to: a file cannot bring in
    # another unit's member or lift the allocation rule.
    allocated = {p.id: set(p.allocated_posts) for p in built.problem.people}
    unknown = [p.id for p in problem.people if p.id not in allocated]
    if unknown:
        raise ValidationError(f"问题文件中的人员 {unknown[0]} 不属于本值班表。")
    widened = [p.id for p in problem.people if not set(p.allocated_posts) <= allocated[p.id]]
    if widened:
        raise ValidationError(f"问题文件中人员 {widened[0]} 的岗位分配与本阶段的调配不一致。")
