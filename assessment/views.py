"""岗位评分 and 述职评议 pages: thin views over assessment.scope, selectors and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from access.http import AuthedRequest
from access.scope import Perm, can, require_anywhere
from assessment import selectors, services
from assessment.forms import RatingForm, ReportForm, ResultForm
from assessment.models import Appraisal
from assessment.scope import (
    get_appraisal_org_for_user,
    get_participant_for_user,
    get_phase_to_rate,
    may_record_result,
)
from audit.once import submit_once
from lib.params import parse_int
from members.models import Member
from rosters.scope import phases_for_user
from uploads.serving import attachment_response


def _year(request: AuthedRequest) -> int:
    this = timezone.localdate().year
    return parse_int(request.GET.get("year"), minimum=2000, maximum=this) or this


@login_required
def phase_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.ROSTER_MANAGE)
    visible = phases_for_user(user).select_related("org").order_by("-starts_on")[:100]
    phases = [p for p in visible if can(user, Perm.ROSTER_MANAGE, p.org)]
    return render(request, "assessment/phase_list.html", {"phases": phases})


@login_required
def phase_ratings(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    phase = get_phase_to_rate(user, pk)
    return render(
        request,
        "assessment/phase_ratings.html",
        {"phase": phase, "rows": selectors.participants(phase=phase, rater=user)},
    )


@login_required
@require_POST
def rate(request: AuthedRequest, pk: int, member_pk: int) -> HttpResponse:
    user = request.user
    phase = get_phase_to_rate(user, pk)
    member = Member.objects.filter(pk=member_pk).first()
    if member is None:
        raise Http404
    url = reverse("rating_phase", args=[phase.pk])
    form = RatingForm(request.POST)

    def save() -> str:
        if not form.is_valid():
            raise ValidationError("评分为 1 至 5 分。")
        services.rating_set(actor=user, phase=phase, member=member, **form.cleaned_data)
        messages.success(request, f"已为{member.name}评分。")
        return url

    return submit_once(request, None, save, refused_url=url) or redirect(url)


@login_required
def participant(request: AuthedRequest, pk: int) -> HttpResponse:
    member = get_participant_for_user(request.user, pk)
    return render(
        request,
        "assessment/participant.html",
        {"member": member, "record": selectors.duty_record(member=member)},
    )


@login_required
def appraisal_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.APPRAISAL_VIEW)
    year = _year(request)
    orgs = list(selectors.appraisal_orgs(user=user)[:500])
    done = {a.org_id: a for a in Appraisal.objects.filter(year=year, org__in=[o.pk for o in orgs])}
    return render(
        request,
        "assessment/appraisal_list.html",
        {"year": year, "rows": [(o, done.get(o.pk)) for o in orgs]},
    )


@login_required
def appraisal(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    org = get_appraisal_org_for_user(user, pk)
    year = _year(request)
    item = Appraisal.objects.filter(org=org, year=year).select_related("result_by").first()
    return render(
        request,
        "assessment/appraisal.html",
        {
            "org": org,
            "year": year,
            "item": item,
            "evidence": selectors.evidence(org=org, year=year, user=user),
            "report_form": ReportForm(),
            "result_form": ResultForm(initial={"result": item.result if item else ""})
            if may_record_result(user, org)
            else None,
        },
    )


@login_required
@require_POST
def report_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    org = get_appraisal_org_for_user(user, pk)
    year = _year(request)
    url = f"{reverse('appraisal', args=[org.pk])}?year={year}"
    form = ReportForm(request.POST, request.FILES)

    def upload() -> str:
        if not form.is_valid():
            raise ValidationError("请选择述职报告文件。")
        services.report_upload(actor=user, org=org, year=year, file=form.cleaned_data["file"])
        messages.success(request, "述职报告已上传。")
        return url

    return submit_once(request, None, upload, refused_url=url) or redirect(url)


@login_required
def report_download(request: AuthedRequest, pk: int) -> HttpResponse:
    org = get_appraisal_org_for_user(request.user, pk)
    item = Appraisal.objects.filter(org=org, year=_year(request)).exclude(report="").first()
    if item is None:
        raise Http404
    with item.report.open("rb") as f:
        data = f.read()
    return attachment_response(data, item.report_name or "述职报告", "application/octet-stream")


@login_required
@require_POST
def result_record(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    org = get_appraisal_org_for_user(user, pk)
    year = _year(request)
    url = f"{reverse('appraisal', args=[org.pk])}?year={year}"
    if not may_record_result(user, org):
        raise PermissionDenied
    form = ResultForm(request.POST)

    def save() -> str:
        if not form.is_valid():
            raise ValidationError("请选择评议结果。")
        services.result_record(actor=user, org=org, year=year, **form.cleaned_data)
        messages.success(request, "评议结果已记录。")
        return url

    return submit_once(request, None, save, refused_url=url) or redirect(url)
