"""谈心谈话 and 民主议事 pages: thin views over talks.scope, selectors and services."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from access.http import AuthedRequest
from access.scope import (
    Perm,
    can,
    get_org_for_user,
    has_perm_anywhere,
    members_for_user,
    orgs_for_user,
    own_member_id,
    require_anywhere,
)
from audit.once import submit_once, submit_token_replay
from audit.services import audit_record
from lib.xlsx import XLSX_CONTENT_TYPE
from members.models import Member
from members.selectors import member_suggestions
from talks import selectors, services, spreadsheets
from talks.forms import (
    CoverageForm,
    DeliberationForm,
    DeliberationStateForm,
    FollowUpForm,
    TalkFilterForm,
    TalkForm,
)
from talks.models import TalkMethod
from talks.scope import (
    deliberation_branches,
    get_deliberation_for_user,
    get_member_talks_for_user,
    get_talk_for_user,
    members_to_talk_with,
    talkers_for,
)
from uploads.serving import attachment_response, download_name

XLSX = XLSX_CONTENT_TYPE
PER_PAGE = 50


def _require_talks(user: Any) -> None:
    """The talk list is for those who read talks, and for members (their own)."""
    if own_member_id(user) is None:
        require_anywhere(user, Perm.TALK_VIEW)


def _can(user: Any) -> dict[str, bool]:
    return {
        "record": has_perm_anywhere(user, Perm.TALK_RECORD),
        "view": has_perm_anywhere(user, Perm.TALK_VIEW),
        "deliberate": has_perm_anywhere(user, Perm.DELIBERATION_RECORD),
    }


# --- talks --------------------------------------------------------------------------------


@login_required
def talk_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    _require_talks(user)
    form = TalkFilterForm(request.GET or None)
    branches = list(orgs_for_user(user, Perm.TALK_VIEW).branches().only("pk", "name"))
    filters = selectors.TalkFilters()
    if form.is_valid():
        data = form.cleaned_data
        branch = next((b for b in branches if b.pk == data.get("branch")), None)
        if branch is None and data.get("branch"):
            # a unit (the dashboard's link): its whole subtree
            branch = orgs_for_user(user, Perm.TALK_VIEW).filter(pk=data["branch"]).first()
        filters = selectors.TalkFilters(
            branch=branch,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            method=data.get("method") or "",
        )
    page = Paginator(selectors.talk_list(user=user, filters=filters), PER_PAGE).get_page(
        request.GET.get("page")
    )
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(
        request,
        "talks/talk_list.html",
        {
            "form": form,
            "page": page,
            "branches": branches,
            "methods": TalkMethod.choices,
            "filters": filters,
            "querystring_nopage": urlencode(params),
            "can": _can(user),
        },
    )


@login_required
def talk_new(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.TALK_RECORD)
    if replay := submit_token_replay(request):
        return replay
    own_id = own_member_id(user)
    own = Member.objects.filter(pk=own_id).first() if own_id else None
    initial = {}
    if number := request.GET.get("member", "")[:32]:
        initial["member"] = number
    form = TalkForm(
        request.POST or None,
        initial=initial,
        people=members_to_talk_with(user),
        talkers=talkers_for(user),
        own=own,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def record() -> str:
            talk = services.talk_record(actor=user, **data)
            messages.success(request, f"已记录与{talk.member.name}的谈心谈话。")
            return reverse("talk_detail", args=[talk.pk])

        if done := submit_once(request, form, record):
            return done
    return render(request, "talks/talk_form.html", {"form": form, "own": own})


@login_required
def talk_people(request: AuthedRequest) -> HttpResponse:
    """Suggestions for a person box (谈话对象, 谈话人, 落实责任人): members of the user's scope."""
    user = request.user
    field = request.GET.get("field", "member")
    if field == "owner":
        require_anywhere(user, Perm.DELIBERATION_RECORD)
        people = members_for_user(user, Perm.DELIBERATION_RECORD)
    else:
        require_anywhere(user, Perm.TALK_RECORD)
        people = talkers_for(user) if field == "talker" else members_to_talk_with(user)
    found = member_suggestions(people, request.GET.get(field, ""))
    return render(request, "talks/people_options.html", {"people": found})


@login_required
def talk_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    talk = get_talk_for_user(user, pk)
    own = own_member_id(user)
    may_follow_up = talk.notes_visible and (  # type: ignore[attr-defined]
        talk.talker_id == own or can(user, Perm.TALK_RECORD, talk.branch)
    )
    return render(
        request,
        "talks/talk_detail.html",
        {
            "talk": talk,
            "may_follow_up": may_follow_up and not talk.followed_up,
            "form": FollowUpForm() if may_follow_up and not talk.followed_up else None,
            "history_url": reverse("member_talks", args=[talk.member_id])
            if talk.notes_visible  # type: ignore[attr-defined]
            and can(user, Perm.TALK_VIEW, talk.member.branch)
            else "",
        },
    )


@login_required
@require_POST
def talk_follow_up(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    talk = get_talk_for_user(user, pk, write=True)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, str(errors[0]))
        return redirect("talk_detail", pk=talk.pk)

    def follow_up() -> str:
        services.talk_follow_up(actor=user, talk=talk, **form.cleaned_data)
        messages.success(request, "已记录回访。")
        return reverse("talk_detail", args=[talk.pk])

    refused = reverse("talk_detail", args=[talk.pk])
    return submit_once(request, None, follow_up, refused_url=refused) or redirect(refused)


@login_required
def member_talks(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    member, notes = get_member_talks_for_user(user, pk)
    talks = selectors.talk_list(user=user, filters=selectors.TalkFilters(member=member))
    return render(
        request,
        "talks/member_talks.html",
        {
            "member": member,
            "notes": notes,
            "talks": talks,
            "may_record": can(user, Perm.TALK_RECORD, member.branch),
        },
    )


# --- coverage -----------------------------------------------------------------------------


def _coverage_args(request: AuthedRequest) -> tuple[CoverageForm, int, Any]:
    user = request.user
    require_anywhere(user, Perm.TALK_VIEW)
    form = CoverageForm(request.GET or None)
    days = form.days_or_default
    org = None
    if form.is_valid() and form.cleaned_data.get("org"):
        org = get_org_for_user(user, form.cleaned_data["org"], Perm.TALK_VIEW)
    return form, days, org


@login_required
def talk_coverage(request: AuthedRequest) -> HttpResponse:
    user = request.user
    form, days, org = _coverage_args(request)
    cov = selectors.coverage(user=user, days=days, org=org)
    due = Paginator(selectors.talks_due(user, days=days, org=org), PER_PAGE).get_page(
        request.GET.get("page")
    )
    follow_ups = selectors.follow_ups_due(user)
    if org is not None:
        follow_ups = follow_ups.filter(branch__path__startswith=org.path)
    params = {"days": str(days), **({"org": str(org.pk)} if org else {})}
    return render(
        request,
        "talks/coverage.html",
        {
            "form": form,
            "cov": cov,
            "org": org,
            "days": days,
            "page": due,
            "follow_ups": list(follow_ups[:PER_PAGE]),
            "querystring_nopage": urlencode(params),
            "can": _can(user),
        },
    )


@login_required
def talk_coverage_export(request: AuthedRequest) -> HttpResponse:
    user = request.user
    _, days, org = _coverage_args(request)
    cov = selectors.coverage(user=user, days=days, org=org)
    follow_ups = selectors.follow_ups_due(user)
    if org is not None:
        follow_ups = follow_ups.filter(branch__path__startswith=org.path)
    data = spreadsheets.coverage_xlsx(
        cov, selectors.talks_due(user, days=days, org=org), follow_ups
    )
    audit_record(
        actor=user,
        action="talk.coverage_export",
        target=org,
        changes={"days": days},
        label=f"谈心谈话覆盖导出（{org.name if org else '全部'}，{days} 天）",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return attachment_response(data, download_name("谈心谈话覆盖", stamp, ext="xlsx"), XLSX)


# --- deliberations ------------------------------------------------------------------------


def _require_register(user: Any) -> None:
    if own_member_id(user) is None:
        require_anywhere(user, Perm.DELIBERATION_RECORD)


@login_required
def deliberation_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    _require_register(user)
    branches = list(deliberation_branches(user).only("pk", "name"))
    branch_id = request.GET.get("branch", "")
    branch = next((b for b in branches if str(b.pk) == branch_id), None)
    state = request.GET.get("state", "")
    if state not in {"", "open", "done", "no_action"}:
        state = ""
    items = selectors.deliberation_list(user=user, branch=branch, state=state)
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
    params = {k: v for k, v in (("branch", branch_id), ("state", state)) if v}
    return render(
        request,
        "talks/deliberation_list.html",
        {
            "page": page,
            "branches": branches,
            "branch": branch,
            "state": state,
            "querystring_nopage": urlencode(params),
            "can": _can(user),
        },
    )


@login_required
def deliberation_new(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.DELIBERATION_RECORD)
    if replay := submit_token_replay(request):
        return replay
    form = DeliberationForm(
        request.POST or None,
        branches=deliberation_branches(user),
        people=members_for_user(user, Perm.DELIBERATION_RECORD),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def record() -> str:
            item = services.deliberation_record(actor=user, **data)
            messages.success(request, "已记入民主议事台账。")
            return reverse("deliberation_detail", args=[item.pk])

        if done := submit_once(request, form, record):
            return done
    return render(request, "talks/deliberation_form.html", {"form": form})


@login_required
def deliberation_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    item = get_deliberation_for_user(user, pk)
    may_edit = can(user, Perm.DELIBERATION_RECORD, item.branch)
    return render(
        request,
        "talks/deliberation_detail.html",
        {
            "item": item,
            "form": DeliberationStateForm(initial={"state": item.state, "note": item.state_note})
            if may_edit
            else None,
        },
    )


@login_required
@require_POST
def deliberation_state(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    item = get_deliberation_for_user(user, pk, write=True)
    form = DeliberationStateForm(request.POST)
    url = reverse("deliberation_detail", args=[item.pk])
    if not form.is_valid():
        messages.error(request, "请选择落实状态。")
        return redirect(url)

    def save() -> str:
        services.deliberation_set_state(actor=user, item=item, **form.cleaned_data)
        messages.success(request, "落实状态已更新。")
        return url

    return submit_once(request, None, save, refused_url=url) or redirect(url)
