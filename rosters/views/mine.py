"""我的值班: a member's shifts, swap requests and the calendar feed."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from access.http import AuthedRequest
from access.scope import own_member_id
from members.models import Member
from rosters import selectors, services
from rosters.calendar import feed_ics
from rosters.forms import SwapRequestForm
from rosters.models import Assignment, CalendarFeed, Roster
from rosters.scope import get_own_assignment, roster_people
from uploads.serving import attachment_response


@login_required
def my_shifts(request: AuthedRequest) -> HttpResponse:
    user = request.user
    own = own_member_id(user)
    if own is None:
        raise PermissionDenied
    member = Member.objects.get(pk=own)
    feed = services.calendar_feed_get(member=member)
    feed_url = request.build_absolute_uri(reverse("calendar_feed", args=[feed.key]))
    shifts = list(selectors.my_shifts(user=user))
    return render(
        request,
        "rosters/my_shifts.html",
        {
            "shifts": shifts,
            # A worked shift is frozen: no swap is offered for it.
            "checked_in": {a.pk for a in shifts if hasattr(a, "duty_check")},
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
        colleagues = roster_people(assignment.roster)
        with_member = colleagues.filter(number=number).first() if number else None
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
    feed = CalendarFeed.objects.filter(key=key).select_related("member__user").first()
    if feed is None:
        raise Http404
    if feed.member.user is None or not feed.member.user.is_active:
        raise Http404  # a deactivated member's feed stops at once
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
    return attachment_response(body, "我的值班.ics", "text/calendar; charset=utf-8", inline=True)
