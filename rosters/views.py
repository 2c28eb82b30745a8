"""Pages of 党员先锋岗与值班: posts, phases, sign-up, recommendation, allocation, rosters
(solve with live progress, edit, publish, print, export), 我的值班 and the calendar feed."""

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from access.http import AuthedRequest
from access.scope import (
    Masker,
    Perm,
    can,
    has_perm_anywhere,
    orgs_for_user,
    own_member_id,
    require_anywhere,
)
from audit.once import submit_once, submit_token_replay
from audit.services import audit_record
from lib.params import parse_id, parse_ids
from lib.roster import FormatError, Problem, Result
from members.models import Member
from members.selectors import unit_names
from orgs.models import Org
from rosters import selectors, services
from rosters.calendar import feed_ics
from rosters.forms import (
    PhaseForm,
    PostForm,
    RosterSettingsForm,
    SignUpForm,
    SwapRequestForm,
    UploadForm,
    parse_date,
)
from rosters.models import Allocation, Assignment, CalendarFeed, Roster, SignUp
from rosters.problems import days, problem_build, roster_posts, roster_settings
from rosters.scope import (
    get_own_assignment,
    get_phase_for_user,
    get_post_for_user,
    get_roster_for_user,
    get_signup_for_user,
    get_swap_for_user,
    posts_for_user,
)
from rosters.spreadsheets import roster_xlsx, signups_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WORKER_WAIT_S = 10


def _int(value: str | None) -> int | None:
    return parse_id(value)


def _managed_orgs(user: Any, perm: str) -> Any:
    """The root and units where the user holds `perm` (where posts, phases, rosters are kept)."""
    return orgs_for_user(user, perm).filter(depth__lte=2).order_by("path")


# --- landing ------------------------------------------------------------------------------


@login_required
def rosters_home(request: AuthedRequest) -> HttpResponse:
    user = request.user
    own = own_member_id(user)
    context: dict[str, Any] = {
        "is_member": own is not None,
        "can_posts": has_perm_anywhere(user, Perm.POST_MANAGE),
        "can_signups": has_perm_anywhere(user, Perm.SIGNUP_VIEW),
        "can_rosters": has_perm_anywhere(user, Perm.ROSTER_MANAGE),
    }
    if own is not None:
        mine = {s.phase_id: s for s in SignUp.objects.filter(member_id=own)}
        context["open_phases"] = [(p, mine.get(p.pk)) for p in selectors.open_phases(user=user)]
        context["my_shifts"] = list(selectors.my_shifts(user=user)[:5])
    if context["can_posts"] or context["can_signups"] or context["can_rosters"]:
        context["phases"] = selectors.phase_list(user=user)[:20]
    if context["can_rosters"]:
        context["rosters"] = selectors.roster_list(user=user)[:20]
        context["pending_swaps"] = selectors.pending_swaps(user=user).count()
    return render(request, "rosters/home.html", context)


# --- posts --------------------------------------------------------------------------------


@login_required
def post_list(request: AuthedRequest) -> HttpResponse:
    require_anywhere(request.user, Perm.POST_MANAGE)
    posts = selectors.post_list(user=request.user)
    return render(request, "rosters/post_list.html", {"posts": posts})


@login_required
def post_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.POST_MANAGE)
    post = get_post_for_user(user, pk) if pk else None
    orgs = _managed_orgs(user, Perm.POST_MANAGE)
    if replay := submit_token_replay(request):
        return replay
    form = PostForm(request.POST or None, instance=post, orgs=orgs)
    if request.method == "POST" and form.is_valid():

        def write() -> str:
            saved = services.post_save(
                actor=user, post=post, org=form.cleaned_data["org"], **form.post_fields()
            )
            url = reverse("post_list")
            messages.success(request, f"已保存岗位「{saved.name}」。")
            return url

        if done := submit_once(request, form, write):
            return done
    title = f"编辑岗位：{post.name}" if post else "新建岗位"
    return render(
        request, "rosters/form.html", {"form": form, "title": title, "back": reverse("post_list")}
    )


# --- phases -------------------------------------------------------------------------------


@login_required
def phase_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.POST_MANAGE)
    phase = get_phase_for_user(user, pk, Perm.POST_MANAGE) if pk else None
    orgs = _managed_orgs(user, Perm.POST_MANAGE)
    posts = posts_for_user(user).filter(active=True).select_related("campus")
    if replay := submit_token_replay(request):
        return replay
    form = PhaseForm(request.POST or None, instance=phase, orgs=orgs, posts=posts)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        org, chosen = data.pop("org"), list(data.pop("posts"))

        def write() -> str:
            saved = services.phase_save(actor=user, phase=phase, org=org, posts=chosen, **data)
            url = reverse("phase_detail", args=[saved.pk])
            messages.success(request, "已保存阶段。")
            return url

        if done := submit_once(request, form, write):
            return done
    title = f"编辑阶段：{phase.name}" if phase else "新建阶段"
    return render(
        request,
        "rosters/form.html",
        {"form": form, "title": title, "back": reverse("rosters_home")},
    )


@login_required
def phase_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    phase = get_phase_for_user(user, pk)
    own = own_member_id(user)
    context: dict[str, Any] = {
        "phase": phase,
        "posts": phase.posts.select_related("campus").order_by("level", "campus__name", "name"),
        "signup": SignUp.objects.filter(phase=phase, member_id=own).first() if own else None,
        "is_member": own is not None,
        "signup_open": services.signup_open(phase),
        "recommend_open": services.recommend_open(phase),
        "can_edit": can(user, Perm.POST_MANAGE, phase.org),
        "can_signups": has_perm_anywhere(user, Perm.SIGNUP_VIEW),
        "can_allocate": has_perm_anywhere(user, Perm.ALLOCATE),
        "can_roster": can(user, Perm.ROSTER_MANAGE, phase.org),
        "rosters": phase.rosters.filter(
            pk__in=selectors.roster_list(user=user).values("pk")
        ).select_related("org"),
    }
    return render(request, "rosters/phase_detail.html", context)


# --- sign-up ------------------------------------------------------------------------------


@login_required
def signup_form(request: AuthedRequest, pk: int) -> HttpResponse:
    """报名表 (附件1): the member's own sign-up for the phase, editable until the deadline."""
    user = request.user
    phase = get_phase_for_user(user, pk)
    own = own_member_id(user)
    if own is None:
        raise PermissionDenied
    member = Member.objects.select_related("branch", "campus").get(pk=own)
    posts = list(phase.posts.filter(active=True).select_related("campus").order_by("level", "name"))
    signup = SignUp.objects.filter(phase=phase, member=member).first()
    initial: dict[str, Any] = {"phone": member.phone, "campus": member.campus_id}
    if signup:
        initial = {
            "unavailable_dates": signup.unavailable_dates,
            "unavailable_slots": [f"{d}|{s}" for d, s in signup.unavailable_slots],
            "avoid_night": signup.avoid_night,
            "campus": signup.campus_id,
            "phone": signup.phone,
            "health_ok": signup.health_ok,
            "health_note": signup.health_note,
            "note": signup.note,
        }
    form = SignUpForm(request.POST or None, phase=phase, posts=posts, initial=initial)
    is_open = services.signup_open(phase)
    if request.method == "POST" and form.is_valid():
        try:
            services.signup_save(actor=user, phase=phase, member=member, **form.service_kwargs())
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, "报名已提交，截止前可随时修改。")
            return redirect("phase_detail", pk=phase.pk)
    wanted = signup.wanted_posts if signup else []
    if request.method == "POST":
        wanted = parse_ids(request.POST.getlist("wanted"))
    return render(
        request,
        "rosters/signup_form.html",
        {
            "phase": phase,
            "member": member,
            "form": form,
            "posts": posts,
            "wanted": wanted,
            "wanted_order": {p: i for i, p in enumerate(wanted, start=1)},
            "signup": signup,
            "is_open": is_open,
        },
    )


def _signup_rows(user: Any, signups: Any, post_names: dict[int, str]) -> list[dict[str, Any]]:
    masker = Masker(user)
    names = unit_names(Org.objects.filter(depth=2))
    return [
        {
            "s": s,
            "unit": names.get(s.member.branch.unit_path(), ""),
            "phone": masker.phone(Member(pk=s.member_id, phone=s.phone), s.member.branch.path),
            "wanted": [post_names.get(p, "") for p in s.wanted_posts if p in post_names],
            "may_recommend": can(user, Perm.SIGNUP_RECOMMEND, s.member.branch),
        }
        for s in signups
    ]


@login_required
def signup_list(request: AuthedRequest, pk: int) -> HttpResponse:
    """Branch: its members' sign-ups; unit: the roll-up (附件2) and recommendation."""
    user = request.user
    require_anywhere(user, Perm.SIGNUP_VIEW)
    phase = get_phase_for_user(user, pk)
    post_names = dict(phase.posts.values_list("pk", "name"))
    signups = [
        s
        for s in selectors.signup_list(user=user, phase=phase)
        if can(user, Perm.SIGNUP_VIEW, s.member.branch)
    ]
    rows = _signup_rows(user, signups, post_names)
    context = {
        "phase": phase,
        "rows": rows,
        "recommend_open": services.recommend_open(phase),
        "can_recommend": has_perm_anywhere(user, Perm.SIGNUP_RECOMMEND),
    }
    template = "rosters/signup_list.html"
    return render(request, template, context)


@login_required
def signup_export(request: AuthedRequest, pk: int) -> HttpResponse:
    """报名表 (附件1) or, with ?form=rollup, 汇总表 (附件2) as .xlsx."""
    user = request.user
    require_anywhere(user, Perm.SIGNUP_VIEW)
    phase = get_phase_for_user(user, pk)
    rollup = request.GET.get("form") == "rollup"
    signups = [
        s
        for s in selectors.signup_list(user=user, phase=phase)
        if can(user, Perm.SIGNUP_VIEW, s.member.branch)
    ]
    names = unit_names(Org.objects.filter(depth=2))
    roots = orgs_for_user(user, Perm.SIGNUP_VIEW).order_by("depth", "path").first()
    unit_name = roots.name if roots else ""
    data = signups_xlsx(
        phase=phase,
        signups=signups,
        unit_name=unit_name,
        post_names=dict(phase.posts.values_list("pk", "name")),
        unit_names=names,
        masker=Masker(user),
        rollup=rollup,
    )
    form = "汇总表" if rollup else "报名表"
    audit_record(actor=user, action="signup.export", target=phase, label=f"{phase.name} {form}导出")
    response = HttpResponse(data, content_type=XLSX)
    kind = "rollup" if rollup else "signups"
    response["Content-Disposition"] = f"attachment; filename=phase-{phase.pk}-{kind}.xlsx"
    return response


@login_required
@require_POST
def signup_recommend(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    signup = get_signup_for_user(user, pk, Perm.SIGNUP_RECOMMEND)
    error = ""
    try:
        services.signup_recommend(
            actor=user, signup=signup, recommended=request.POST.get("recommended") == "1"
        )
    except ValidationError as e:
        error = "；".join(e.messages)
    if request.htmx:
        post_names = dict(signup.phase.posts.values_list("pk", "name"))
        row = _signup_rows(user, [signup], post_names)[0]
        return render(
            request,
            "rosters/signup_list.html#row",
            {
                "row": row,
                "recommend_open": services.recommend_open(signup.phase),
                "can_recommend": True,
                "error": error,
            },
        )
    if error:
        messages.error(request, error)
    return redirect("signup_list", pk=signup.phase_id)


# --- allocation ---------------------------------------------------------------------------


@login_required
def allocation_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """分阶段、分层次: allocate signed-up people to the posts the user allocates for."""
    user = request.user
    require_anywhere(user, Perm.ALLOCATE)
    phase = get_phase_for_user(user, pk)
    posts = [
        p
        for p in phase.posts.select_related("org", "campus").order_by(
            "level", "campus__name", "name"
        )
        if can(user, Perm.ALLOCATE, p.org)
    ]
    post = next(
        (p for p in posts if p.pk == _int(request.GET.get("post"))), posts[0] if posts else None
    )
    if request.method == "POST" and post is not None:
        # Only a candidate the page could show: a guessed id reveals nothing.
        signup = (
            selectors.allocation_candidates(user=user, phase=phase, post=post)
            .filter(member_id=_int(request.POST.get("member")) or 0)
            .first()
        )
        if signup is None:
            raise Http404
        member = signup.member
        try:
            services.allocation_add(actor=user, phase=phase, post=post, member=member)
        except ValidationError as e:
            messages.error(request, "；".join(e.messages))
        else:
            messages.success(request, f"已将 {member.name} 调配到「{post.name}」。")
        return redirect(f"{reverse('allocation_page', args=[phase.pk])}?post={post.pk}")
    allocated: list[Allocation] = []
    candidates: list[SignUp] = []
    if post is not None:
        allocated = list(
            Allocation.objects.filter(phase=phase, post=post).select_related("member__branch")
        )
        taken = {a.member_id for a in allocated}
        candidates = [
            s
            for s in selectors.allocation_candidates(user=user, phase=phase, post=post)
            if s.member_id not in taken
        ]
    counts = {
        pid: n
        for pid, n in Allocation.objects.filter(phase=phase)
        .values_list("post_id")
        .annotate(n=Count("id"))
    }
    return render(
        request,
        "rosters/allocation.html",
        {
            "phase": phase,
            "posts": [(p, counts.get(p.pk, 0)) for p in posts],
            "post": post,
            "allocated": allocated,
            "candidates": candidates,
        },
    )


@login_required
@require_POST
def allocation_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    allocation = get_object_or_404(Allocation.objects.select_related("post__org", "member"), pk=pk)
    if not can(user, Perm.ALLOCATE, allocation.post.org):
        raise Http404
    phase_id, post_id = allocation.phase_id, allocation.post_id
    services.allocation_remove(actor=user, allocation=allocation)
    messages.success(request, "已取消调配。")
    return redirect(f"{reverse('allocation_page', args=[phase_id])}?post={post_id}")


# --- rosters ------------------------------------------------------------------------------


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


@login_required
@require_POST
def roster_solve(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    roster = get_roster_for_user(user, pk)
    try:
        services.roster_solve_request(actor=user, roster=roster)
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    return redirect("roster_detail", pk=roster.pk)


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
    version = _int(request.POST.get("version")) or 0
    op, _, arg = request.POST.get("op", "").partition(":")
    error, done = "", ""
    try:
        if op == "add":
            post_id, date, slot = arg.split("|", 2)
            member_id = _int(request.POST.get(f"member_{arg}"))
            if member_id is None:
                raise ValidationError("请选择人员。")
            posts = roster_posts(roster)
            post = next((p for p in posts if p.pk == int(post_id)), None)
            if post is None:
                raise ValidationError("该岗位不在本值班表中。")
            # Only people allocated to this roster's posts: a guessed id reveals nothing.
            member = get_object_or_404(
                Member.objects.filter(
                    allocations__phase_id=roster.phase_id, allocations__post__in=posts
                ).distinct(),
                pk=member_id,
            )
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
                Assignment.objects.select_related("member", "post"), pk=_int(arg), roster=roster
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
            picked = [_int(v) for v in request.POST.getlist("pick")]
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
    roster.refresh_from_db()
    context = _roster_context(request, roster)
    context.update({"error": error, "done": done})
    if request.htmx:
        return render(request, "rosters/roster_detail.html#grid", context)
    if error:
        messages.error(request, error)
    elif done:
        messages.success(request, done)
    return redirect(f"{reverse('roster_detail', args=[roster.pk])}?day={context['day']}")


@login_required
@require_POST
def roster_publish(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    roster = get_roster_for_user(user, pk)
    publish = request.POST.get("publish") != "0"
    try:
        services.roster_publish(
            actor=user,
            roster=roster,
            version=_int(request.POST.get("version")) or 0,
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
        post_id=_int(request.GET.get("post")),
        campus_id=_int(request.GET.get("campus")),
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


@login_required
def roster_print(request: AuthedRequest, pk: int) -> HttpResponse:
    roster = get_roster_for_user(request.user, pk)
    by, groups = _print_groups(request, roster)
    return render(
        request, "rosters/roster_print.html", {"roster": roster, "by": by, "groups": groups}
    )


@login_required
def roster_export(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    roster = get_roster_for_user(user, pk)
    rows = selectors.roster_grid(roster, user=user)
    data = roster_xlsx(title=f"{roster.phase.name}值班表（{roster.org.name}）", groups=rows)
    audit_record(actor=user, action="roster.export", target=roster, label=f"{roster} 值班表导出")
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename=roster-{roster.pk}.xlsx"
    return response


@login_required
def roster_problem(request: AuthedRequest, pk: int) -> HttpResponse:
    """The roster's problem in the documented JSON format (docs/roster-format.md)."""
    user = request.user
    roster = get_roster_for_user(user, pk)
    built = problem_build(roster)
    audit_record(actor=user, action="roster.problem_export", target=roster)
    body = json.dumps(built.problem.to_dict(), ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename=roster-{roster.pk}-problem.json"
    return response


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


# --- swaps --------------------------------------------------------------------------------


@login_required
def swap_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.ROSTER_MANAGE)
    swaps = selectors.pending_swaps(user=user)
    return render(request, "rosters/swap_list.html", {"swaps": swaps})


@login_required
@require_POST
def swap_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    swap = get_swap_for_user(user, pk)
    approve = request.POST.get("approve") == "1"
    replacement = None
    number = request.POST.get("replacement", "").strip()
    if number:
        # Only someone allocated to this roster's posts: a guessed number reveals nothing.
        roster = swap.assignment.roster
        replacement = (
            Member.objects.filter(
                number=number,
                allocations__phase_id=roster.phase_id,
                allocations__post__in=roster_posts(roster),
            )
            .distinct()
            .first()
        )
        if replacement is None:
            messages.error(request, f"本阶段没有学工号为 {number} 的值班人员。")
            return redirect("swap_list")
    try:
        services.swap_request_decide(
            actor=user,
            swap=swap,
            approve=approve,
            replacement=replacement,
            note=request.POST.get("note", "")[:200],
        )
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    else:
        messages.success(request, "已同意调班。" if approve else "已驳回调班申请。")
    return redirect("swap_list")


# --- 我的值班 and the calendar feed ---------------------------------------------------------


@login_required
def my_shifts(request: AuthedRequest) -> HttpResponse:
    user = request.user
    own = own_member_id(user)
    if own is None:
        raise PermissionDenied
    member = Member.objects.get(pk=own)
    feed = services.calendar_feed_get(member=member)
    feed_url = request.build_absolute_uri(reverse("calendar_feed", args=[feed.key]))
    return render(
        request,
        "rosters/my_shifts.html",
        {
            "shifts": selectors.my_shifts(user=user),
            "swaps": selectors.my_swaps(user=user)[:20],
            "feed_url": feed_url,
            "webcal_url": feed_url.replace("https://", "webcal://").replace("http://", "webcal://"),
            "pending": set(
                selectors.my_swaps(user=user)
                .filter(state="pending")
                .values_list("assignment_id", flat=True)
            ),
        },
    )


@login_required
def swap_request(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    assignment = get_own_assignment(user, pk)
    member = assignment.member
    form = SwapRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["with_number"].strip()
        colleagues = Member.objects.filter(allocations__phase_id=assignment.roster.phase_id)
        with_member = colleagues.filter(number=number).distinct().first() if number else None
        if number and with_member is None:
            form.add_error("with_number", "本阶段没有该学工号的值班人员。")
        else:
            try:
                services.swap_request_create(
                    actor=user,
                    assignment=assignment,
                    member=member,
                    with_member=with_member,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as e:
                form.add_error(None, e)
            else:
                messages.success(request, "调班申请已提交，等待防控办审批。")
                return redirect("my_shifts")
    return render(request, "rosters/swap_form.html", {"form": form, "assignment": assignment})


@login_required
@require_POST
def feed_regenerate(request: AuthedRequest) -> HttpResponse:
    own = own_member_id(request.user)
    if own is None:
        raise PermissionDenied
    services.calendar_feed_regenerate(actor=request.user, member=Member.objects.get(pk=own))
    messages.success(request, "已生成新的订阅链接，旧链接已失效。")
    return redirect("my_shifts")


def calendar_feed(request: Any, key: str) -> HttpResponse:
    """The member's published shifts as .ics: the private key is the only credential."""
    feed = CalendarFeed.objects.filter(key=key).select_related("member").first()
    if feed is None:
        raise Http404
    shifts = (
        Assignment.objects.filter(member=feed.member, roster__state=Roster.State.PUBLISHED)
        .select_related("post__campus")
        .order_by("date", "slot")
    )
    body = feed_ics(
        name=feed.member.name,
        assignments=shifts,
        base_url=request.build_absolute_uri("/").rstrip("/"),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = "inline; filename=duty.ics"
    return response
