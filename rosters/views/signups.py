"""Sign-up (报名表 附件1), the roll-up (汇总表 附件2) and recommendation."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
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
from audit.services import audit_record
from lib.params import parse_id, parse_ids
from members.models import Member
from members.selectors import unit_names
from orgs.models import Org
from rosters import selectors, services
from rosters.forms import SignUpForm
from rosters.models import SignUp
from rosters.scope import duty_masker, get_phase_for_user, get_signup_for_user
from rosters.spreadsheets import signups_xlsx
from rosters.views.common import XLSX
from uploads.serving import attachment_response, download_name


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
    masker = duty_masker(user)
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
    # ?org=: one org's subtree (the dashboard's link)
    org_id = parse_id(request.GET.get("org"))
    org = orgs_for_user(user).filter(pk=org_id).first() if org_id else None
    # ?allocated=1: only those allocated to a post (the dashboard's 已分配上岗)
    allocated = request.GET.get("allocated") == "1"
    signups = [
        s
        for s in selectors.signup_list(
            user=user, phase=phase, org_path=org.path if org else None, allocated=allocated
        )
        if can(user, Perm.SIGNUP_VIEW, s.member.branch)
    ]
    rows = _signup_rows(user, signups, post_names)
    context = {
        "org": org,
        "allocated": allocated,
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
        masker=duty_masker(user),
        rollup=rollup,
    )
    form = "汇总表" if rollup else "报名表"
    audit_record(actor=user, action="signup.export", target=phase, label=f"{phase.name} {form}导出")
    return attachment_response(data, download_name(form, phase.name, ext="xlsx"), XLSX)


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
