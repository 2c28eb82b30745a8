"""情况报告 and 请示 pages: thin views over escalations.scope, selectors and services."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from access.http import AuthedRequest
from access.scope import orgs_for_user, own_member_id
from audit.once import submit_once, submit_token_replay
from escalations import selectors, services
from escalations.forms import AcknowledgeForm, EscalationForm, HandleForm, ReplyForm
from escalations.models import (
    EscalationFile,
    EscalationKind,
    EscalationState,
    Urgency,
)
from escalations.scope import desk_org_ids, get_escalation_for_user
from lib.params import parse_id
from members.models import Member
from uploads.serving import attached_file_response

PER_PAGE = 50


def _may_report(user: Any) -> tuple[list[Any], Member | None]:
    orgs = services.reporting_orgs(user)
    own_id = own_member_id(user)
    own = Member.objects.select_related("branch").filter(pk=own_id).first() if own_id else None
    return orgs, own


@login_required
def escalation_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    orgs, own = _may_report(user)
    has_desk = bool(desk_org_ids(user))
    if not has_desk and own is None and not orgs:
        raise PermissionDenied
    view = request.GET.get("view") or ("desk" if has_desk else "mine")
    if view not in selectors.VIEWS:
        view = "all"
    filters = selectors.Filters(
        view=view,
        kind=request.GET.get("kind", "")
        if request.GET.get("kind") in EscalationKind.values
        else "",
        state=request.GET.get("state", "")
        if request.GET.get("state") in EscalationState.values
        else "",
        urgency=request.GET.get("urgency", "")
        if request.GET.get("urgency") in Urgency.values
        else "",
        org=orgs_for_user(user).filter(pk=org_id).first()  # the dashboard's ?org=
        if (org_id := parse_id(request.GET.get("org")))
        else None,
    )
    page = Paginator(selectors.escalation_list(user=user, filters=filters), PER_PAGE).get_page(
        request.GET.get("page")
    )
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(
        request,
        "escalations/list.html",
        {
            "page": page,
            "filters": filters,
            "views": selectors.VIEWS,
            "has_desk": has_desk,
            "kinds": EscalationKind.choices,
            "states": EscalationState.choices,
            "urgencies": Urgency.choices,
            "querystring_nopage": urlencode(params),
            "may_report": bool(orgs) or own is not None,
        },
    )


@login_required
def escalation_new(request: AuthedRequest) -> HttpResponse:
    user = request.user
    orgs, own = _may_report(user)
    if not orgs and own is None:
        raise PermissionDenied
    if replay := submit_token_replay(request):
        return replay
    kind = request.GET.get("kind")
    initial = {"kind": kind} if kind in EscalationKind.values else {}
    form = EscalationForm(request.POST or None, initial=initial, orgs=orgs, own_member=own)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def create() -> str:
            escalation = services.escalation_create(
                actor=user,
                kind=data["kind"],
                category=data["category"],
                urgency=data["urgency"],
                title=data["title"],
                body=data["body"],
                org=data["org"],
                member=data["member"],
                upload_ids=request.POST.getlist("upload_ids"),
            )
            messages.success(
                request, f"已报送{escalation.to_org.name}，须在时限内确认已阅，超时将自动上报。"
            )
            return reverse("escalation_detail", args=[escalation.pk])

        if done := submit_once(request, form, create):
            return done
    return render(request, "escalations/form.html", {"form": form})


@login_required
def escalation_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    escalation = get_escalation_for_user(user, pk)
    may_act = services.may_act(user, escalation)
    is_reporter = escalation.reported_by_id == user.pk
    events = list(escalation.events.select_related("actor", "org"))
    replies = list(escalation.replies.select_related("author", "org"))
    files = list(escalation.files.all())
    is_open = escalation.state == EscalationState.OPEN
    return render(
        request,
        "escalations/detail.html",
        {
            "e": escalation,
            "events": events,
            "replies": replies,
            "files": files,
            "may_ack": may_act and is_open and not escalation.is_request,
            "may_answer": may_act and is_open and escalation.is_request,
            "may_handle": may_act and escalation.state == EscalationState.ACKNOWLEDGED,
            "may_message": (may_act or is_reporter)
            and not (is_open and escalation.is_request and may_act),
            "handle_form": HandleForm(),
            "reply_form": ReplyForm(initial={"level": escalation.level}),
        },
    )


def _refused(request: AuthedRequest, form: Any) -> None:
    for errors in form.errors.values():
        messages.error(request, str(errors[0]))


@login_required
@require_POST
def escalation_acknowledge(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    escalation = get_escalation_for_user(user, pk, write=True)
    if not services.may_act(user, escalation):
        raise PermissionDenied
    back = reverse("escalation_detail", args=[escalation.pk])
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        _refused(request, form)
        return redirect(back)

    def acknowledge() -> str:
        services.escalation_acknowledge(
            actor=user, escalation=escalation, level=form.cleaned_data["level"]
        )
        messages.success(request, "已确认已阅，不再向上级上报。")
        return back

    return submit_once(request, None, acknowledge, refused_url=back) or redirect(back)


@login_required
@require_POST
def escalation_handle(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    escalation = get_escalation_for_user(user, pk, write=True)
    if not services.may_act(user, escalation):
        raise PermissionDenied
    back = reverse("escalation_detail", args=[escalation.pk])
    form = HandleForm(request.POST)
    if not form.is_valid():
        _refused(request, form)
        return redirect(back)

    def handle() -> str:
        services.escalation_handle(actor=user, escalation=escalation, **form.cleaned_data)
        messages.success(request, "已登记处理情况。")
        return back

    return submit_once(request, None, handle, refused_url=back) or redirect(back)


@login_required
@require_POST
def escalation_reply(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    escalation = get_escalation_for_user(user, pk, write=True)
    back = reverse("escalation_detail", args=[escalation.pk])
    form = ReplyForm(request.POST)
    if not form.is_valid():
        _refused(request, form)
        return redirect(back)

    def reply() -> str:
        r = services.reply_add(
            actor=user,
            escalation=escalation,
            body=form.cleaned_data["body"],
            level=form.cleaned_data["level"],
        )
        messages.success(request, "已批复。" if r.is_answer else "已发送。")
        return back

    return submit_once(request, None, reply, refused_url=back) or redirect(back)


@login_required
@require_safe
def escalation_file(request: AuthedRequest, pk: int) -> Any:
    """An attachment, inline (or ?download=1), for those who see its report."""
    file = EscalationFile.objects.filter(pk=pk).first()
    if file is None:
        raise Http404
    get_escalation_for_user(request.user, file.escalation_id)
    return attached_file_response(request, file)
