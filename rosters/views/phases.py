"""Phases (分阶段): create, edit, the phase page."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from access.http import AuthedRequest
from access.scope import Perm, can, has_perm_anywhere, own_member_id, require_anywhere
from audit.once import submit_once, submit_token_replay
from rosters import selectors, services
from rosters.forms import PhaseForm
from rosters.models import SignUp
from rosters.scope import get_phase_for_user, posts_for_user
from rosters.views.common import _managed_orgs


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
