"""Swap requests (调班): the duty office's list and decision."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from access.http import AuthedRequest
from access.scope import Perm, require_anywhere
from members.models import Member
from rosters import selectors, services
from rosters.problems import roster_posts
from rosters.scope import get_swap_for_user


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
