"""发展党员 pages: thin views over development.scope, selectors and services."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from access.http import AuthedRequest
from access.scope import Perm, can, orgs_for_user, require_anywhere
from audit.once import submit_once, submit_token_replay
from audit.services import audit_record
from development import selectors, services, spreadsheets
from development.forms import (
    AdvanceForm,
    CandidateOpenForm,
    DetailsForm,
    FilterForm,
    ObjectionForm,
    ObjectionResolveForm,
    PublicityForm,
)
from development.models import (
    APPROVED_STAGES,
    Candidate,
    DevelopmentStage,
    Evidence,
    IntervalRule,
    Objection,
)
from development.scope import get_candidate_for_user, people_for_user
from lib.xlsx import XLSX_CONTENT_TYPE
from meetings.models import Meeting, MeetingKind, MeetingState
from uploads.serving import attached_file_response, attachment_response, download_name

PER_PAGE = 50


def _people_fields(candidate: Candidate) -> dict[str, str]:
    return {
        name: str(getattr(candidate, name) or "")
        for name in ("contact_1", "contact_2", "introducer_1", "introducer_2")
    }


@login_required
def candidate_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.DEVELOPMENT_VIEW)
    form = FilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.candidate_list(
        user=user,
        stage=data.get("stage") or "",
        branch_id=data.get("branch"),
        q=(data.get("q") or "").strip(),
    )
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(
        request,
        "development/list.html",
        {
            "page": page,
            "form": form,
            "stages": DevelopmentStage.choices,
            "counts": selectors.stage_counts(user=user),
            "figures": selectors.stage_figures(user=user),
            "branches": orgs_for_user(user, Perm.DEVELOPMENT_VIEW).branches().only("pk", "name"),
            "querystring_nopage": urlencode(params),
            "export_query": urlencode(params),
            "may_open": bool(people_for_user(user).exists()),
        },
    )


@login_required
def candidate_due(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.DEVELOPMENT_VIEW)
    return render(
        request,
        "development/due.html",
        {"due": selectors.due_list(user=user), "today": timezone.localdate()},
    )


@login_required
def candidate_export(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.DEVELOPMENT_VIEW)
    form = FilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.candidate_list(
        user=user,
        stage=data.get("stage") or "",
        branch_id=data.get("branch"),
        q=(data.get("q") or "").strip(),
    ).select_related("contact_1", "contact_2", "introducer_1", "introducer_2")
    content = spreadsheets.candidates_xlsx(qs)
    audit_record(actor=user, action="development.export", label="发展党员名册导出")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return attachment_response(
        content, download_name("发展党员", stamp, ext="xlsx"), XLSX_CONTENT_TYPE
    )


@login_required
def candidate_new(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.DEVELOPMENT_RECORD)
    if replay := submit_token_replay(request):
        return replay
    form = CandidateOpenForm(request.POST or None, people=people_for_user(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def write() -> str:
            c = services.candidate_open(actor=user, **data)
            messages.success(request, f"已为{c.member.name}建立发展档案。")
            return reverse("candidate_detail", args=[c.pk])

        if done := submit_once(request, form, write):
            return done
    return render(
        request, "development/form.html", {"form": form, "title": "新建发展档案", "back": ""}
    )


@login_required
def interval_rules(request: AuthedRequest) -> HttpResponse:
    require_anywhere(request.user, Perm.DEVELOPMENT_VIEW)
    return render(
        request, "development/rules.html", {"rules": IntervalRule.objects.filter(active=True)}
    )


def _resolutions(candidate: Candidate) -> Any:
    """The 支部党员大会 records of the candidate's branch that may carry the resolution."""
    return Meeting.objects.filter(
        org_id=candidate.member.branch_id,
        kind=MeetingKind.GENERAL_ASSEMBLY,
        state__in=(MeetingState.UNIT_APPROVED, MeetingState.APPROVED),
        held_at__isnull=False,
    ).order_by("-held_at")[:30]


@login_required
def candidate_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    c = get_candidate_for_user(user, pk)
    branch = c.member.branch
    may_record = can(user, Perm.DEVELOPMENT_RECORD, branch)
    to = c.next_stage
    may_advance = to is not None and can(
        user,
        Perm.DEVELOPMENT_APPROVE if to in APPROVED_STAGES else Perm.DEVELOPMENT_RECORD,
        branch,
    )
    publicities = list(c.publicities.prefetch_related("objections"))
    return render(
        request,
        "development/detail.html",
        {
            "c": c,
            "steps": list(c.steps.select_related("resolution", "recorded_by")),
            "publicities": publicities,
            "evidence": list(c.evidence.all()),
            "front": selectors.frontline(member_id=c.member_id),
            "may_record": may_record and c.stage != DevelopmentStage.FULL,
            "may_advance": may_advance,
            "to_stage": to,
            "needs_publicity": to in APPROVED_STAGES,
            "advance_form": AdvanceForm(to_stage=to, meetings=_resolutions(c))
            if may_advance and to is not None
            else None,
            "details_form": DetailsForm(
                initial={
                    **_people_fields(c),
                    "training_school": c.training_school,
                    "training_finished_on": c.training_finished_on,
                    "training_grade": c.training_grade,
                    "review_on": c.review_on,
                    "review_result": c.review_result,
                },
                people=people_for_user(user),
            ),
            "publicity_form": PublicityForm(),
            "objection_form": ObjectionForm(),
        },
    )


@login_required
@require_POST
def candidate_details(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    c = get_candidate_for_user(user, pk, write=True)
    back = reverse("candidate_detail", args=[c.pk])
    form = DetailsForm(request.POST, people=people_for_user(user))
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, str(errors[0]))
        return redirect(back)
    data = dict(form.cleaned_data)
    for name in ("training_grade", "review_result", "training_school"):
        data[name] = data.get(name) or ""

    def write() -> str:
        services.candidate_details_update(actor=user, candidate=c, **data)
        messages.success(request, "已保存培养考察信息。")
        return back

    return submit_once(request, None, write, refused_url=back) or redirect(back)


@login_required
def candidate_advance(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    c = get_candidate_for_user(user, pk)
    to = c.next_stage
    back = reverse("candidate_detail", args=[c.pk])
    if to is None:
        messages.error(request, "已是正式党员，没有下一阶段。")
        return redirect(back)
    perm = Perm.DEVELOPMENT_APPROVE if to in APPROVED_STAGES else Perm.DEVELOPMENT_RECORD
    if not can(user, perm, c.member.branch):
        raise PermissionDenied
    if replay := submit_token_replay(request):
        return replay
    form = AdvanceForm(request.POST or None, to_stage=to, meetings=_resolutions(c))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def write() -> str:
            services.candidate_advance(
                actor=user,
                candidate=c,
                on=data["on"],
                note=data.get("note", ""),
                resolution=data.get("resolution"),
                approved_on=data.get("approved_on"),
            )
            messages.success(request, f"{c.member.name}已成为{to.label}。")
            return back

        if done := submit_once(request, form, write):
            return done
    return render(
        request,
        "development/form.html",
        {"form": form, "title": f"{c.member.name}：确定为{to.label}", "back": back, "c": c},
    )


@login_required
@require_POST
def candidate_publicity(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    c = get_candidate_for_user(user, pk, write=True)
    back = reverse("candidate_detail", args=[c.pk])
    form = PublicityForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, str(errors[0]))
        return redirect(back)

    def write() -> str:
        services.publicity_open(actor=user, candidate=c, **form.cleaned_data)
        messages.success(request, "已记录公示。")
        return back

    return submit_once(request, None, write, refused_url=back) or redirect(back)


@login_required
@require_POST
def candidate_objection(request: AuthedRequest, pk: int) -> HttpResponse:
    """Record an objection to the latest 公示, or (with `objection`) the finding on one."""
    user = request.user
    c = get_candidate_for_user(user, pk, write=True)
    back = reverse("candidate_detail", args=[c.pk])
    if request.POST.get("objection"):
        resolve = ObjectionResolveForm(request.POST)
        if not resolve.is_valid():
            for errors in resolve.errors.values():
                messages.error(request, str(errors[0]))
            return redirect(back)
        data = resolve.cleaned_data
        objection = Objection.objects.filter(pk=data["objection"], publicity__candidate=c).first()
        if objection is None:
            messages.error(request, "找不到该意见。")
            return redirect(back)
        found = objection

        def resolve_it() -> str:
            services.objection_resolve(
                actor=user,
                objection=found,
                finding=data["finding"],
                resolved_on=data["resolved_on"],
                upheld=data["upheld"],
            )
            messages.success(request, "已记录核查结论。")
            return back

        return submit_once(request, None, resolve_it, refused_url=back) or redirect(back)
    form = ObjectionForm(request.POST)
    publicity = c.publicities.order_by("-starts_on", "-id").first()
    if publicity is None:
        messages.error(request, "尚未公示，不能记录公示意见。")
        return redirect(back)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, str(errors[0]))
        return redirect(back)
    target = publicity

    def write() -> str:
        services.objection_record(actor=user, publicity=target, **form.cleaned_data)
        messages.success(request, "已记录公示意见，请核查后填写结论。")
        return back

    return submit_once(request, None, write, refused_url=back) or redirect(back)


@login_required
@require_POST
def candidate_evidence(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    c = get_candidate_for_user(user, pk, write=True)
    back = reverse("candidate_detail", args=[c.pk])
    ids = request.POST.getlist("upload_ids")

    def write() -> str:
        added = services.evidence_add(actor=user, candidate=c, upload_ids=ids)
        messages.success(request, f"已添加 {len(added)} 个材料。")
        return back

    return submit_once(request, None, write, refused_url=back) or redirect(back)


@login_required
@require_safe
def evidence_file(request: AuthedRequest, pk: int) -> Any:
    """A file on a development file, inline (or ?download=1), for those who see the file."""
    file = Evidence.objects.filter(pk=pk).first()
    if file is None:
        raise Http404
    get_candidate_for_user(request.user, file.candidate_id)
    return attached_file_response(request, file)
