"""The landing page of 党员先锋岗与值班."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from access.http import AuthedRequest
from access.scope import Perm, has_perm_anywhere, own_member_id
from rosters import selectors
from rosters.models import SignUp


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
