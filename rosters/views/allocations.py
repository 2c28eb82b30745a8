"""Allocation (分阶段、分层次): who is put on which post for a phase."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from access.http import AuthedRequest
from access.scope import Perm, can, require_anywhere
from lib.params import parse_id
from rosters import selectors, services
from rosters.models import Allocation, SignUp
from rosters.scope import get_phase_for_user


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
        (p for p in posts if p.pk == parse_id(request.GET.get("post"))), posts[0] if posts else None
    )
    if request.method == "POST" and post is not None:
        # Only a candidate the page could show: a guessed id reveals nothing.
        signup = (
            selectors.allocation_candidates(user=user, phase=phase, post=post)
            .filter(member_id=parse_id(request.POST.get("member")) or 0)
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
