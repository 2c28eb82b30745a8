"""典型选树 pages: thin views over rolemodels.scope and services."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from access.http import AuthedRequest
from access.scope import Perm, _path_q, can, has_perm_anywhere, paths_with
from audit.once import submit_once, submit_token_replay
from config.forms import StyledFormMixin
from duty.models import Team
from lib.params import parse_id
from members.models import Member
from members.selectors import PERSON_NOT_FOUND, person_key
from rolemodels import services
from rolemodels.models import RoleModelFile, RoleModelState
from rolemodels.scope import get_role_model_for_user, manages, role_models_for_user, step_for
from uploads.serving import attached_file_response

PER_PAGE = 50


class NominateForm(StyledFormMixin, forms.Form):
    member = forms.CharField(
        label="党员", max_length=80, required=False, help_text="姓名或学工号；推荐队伍时留空"
    )
    team = forms.ModelChoiceField(
        label="先锋队 / 突击队", queryset=Team.objects.none(), required=False
    )
    title = forms.CharField(label="推荐称号", max_length=100, initial="抗疫先锋")
    deeds = forms.CharField(label="先进事迹", widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args: Any, people: Any, teams: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.people = people
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]

    def clean_member(self) -> Member | None:
        text = person_key(self.cleaned_data.get("member", ""))
        if not text:
            return None
        found = list(self.people.filter(number=text)[:1]) or list(self.people.filter(name=text)[:2])
        if len(found) != 1:
            raise forms.ValidationError(
                PERSON_NOT_FOUND if not found else "有同名党员，请输入学工号。"
            )
        return found[0]


def _require(user: Any) -> None:
    if not user.is_authenticated:
        raise PermissionDenied


@login_required
def role_model_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    qs = (
        role_models_for_user(user)
        .select_related("org", "member", "team")
        .order_by("-published", "-created_at")
    )
    state = request.GET.get("state", "")
    if state in RoleModelState.values:
        qs = qs.filter(state=state)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "rolemodels/list.html",
        {
            "page": page,
            "states": RoleModelState.choices,
            "state": state,
            "querystring_nopage": f"state={state}" if state else "",
            "may_nominate": has_perm_anywhere(user, Perm.ROLE_MODEL_NOMINATE),
        },
    )


@login_required
def role_model_new(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not has_perm_anywhere(user, Perm.ROLE_MODEL_NOMINATE):
        raise PermissionDenied
    if replay := submit_token_replay(request):
        return replay
    roots = paths_with(user, Perm.ROLE_MODEL_NOMINATE)
    form = NominateForm(
        request.POST or None,
        people=Member.objects.filter(_path_q(roots, "branch__path")),
        teams=Team.objects.filter(_path_q(roots, "org__path"), org__depth__gte=2),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def write() -> str:
            rm = services.nominate(
                actor=user, upload_ids=request.POST.getlist("upload_ids"), **data
            )
            messages.success(request, "已提交推荐，等待单位审核。")
            return reverse("role_model_detail", args=[rm.pk])

        if done := submit_once(request, form, write):
            return done
    return render(request, "rolemodels/form.html", {"form": form})


@login_required
def role_model_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    from campaigns.models import Deliverable, DeliverableKind
    from campaigns.scope import campaigns_for_user

    user = request.user
    rm = get_role_model_for_user(user, pk)
    managing = manages(user, rm)
    deliverables: list[Any] = []
    if managing and rm.published and rm.submission_id is None:
        deliverables = list(
            Deliverable.objects.filter(
                kind=DeliverableKind.RED_FIREWALL, campaign__in=campaigns_for_user(user)
            ).select_related("campaign")
        )
    return render(
        request,
        "rolemodels/detail.html",
        {
            "rm": rm,
            "managing": managing,
            "events": list(rm.events.select_related("actor")) if managing else [],
            "files": list(rm.files.all()) if managing else [],
            "step": step_for(user, rm),
            "deliverables": deliverables,
        },
    )


def _act(
    request: AuthedRequest, pk: int, run: Any, done: str, *, review: bool = False
) -> HttpResponse:
    """Run a step: a review step needs the user to hold the step the nomination is at; the
    others need the user to manage nominations of its org (403 otherwise, 404 unseen)."""
    rm = get_role_model_for_user(request.user, pk)
    if review and step_for(request.user, rm) is None:
        raise PermissionDenied
    if not review and not manages(request.user, rm):
        raise PermissionDenied
    url = reverse("role_model_detail", args=[rm.pk])

    def write() -> str:
        result = run(rm)
        messages.success(request, done)
        return result if isinstance(result, str) else url

    return submit_once(request, None, write, refused_url=url) or redirect(url)


@login_required
@require_POST
def role_model_approve(request: AuthedRequest, pk: int) -> HttpResponse:
    comment = request.POST.get("comment", "")[:500]
    return _act(
        request,
        pk,
        lambda rm: services.approve(actor=request.user, role_model=rm, comment=comment),
        "审核通过。",
        review=True,
    )


@login_required
@require_POST
def role_model_return(request: AuthedRequest, pk: int) -> HttpResponse:
    reason = request.POST.get("reason", "")[:500]
    return _act(
        request,
        pk,
        lambda rm: services.give_back(actor=request.user, role_model=rm, reason=reason),
        "已退回。",
        review=True,
    )


@login_required
@require_POST
def role_model_renominate(request: AuthedRequest, pk: int) -> HttpResponse:
    title, deeds = request.POST.get("title", "")[:100], request.POST.get("deeds", "")
    return _act(
        request,
        pk,
        lambda rm: services.renominate(actor=request.user, role_model=rm, title=title, deeds=deeds),
        "已重新推荐。",
    )


@login_required
@require_POST
def role_model_report(request: AuthedRequest, pk: int) -> HttpResponse:
    from campaigns.models import Deliverable
    from campaigns.scope import campaigns_for_user

    deliverable = Deliverable.objects.filter(
        pk=parse_id(request.POST.get("deliverable")) or 0,
        campaign__in=campaigns_for_user(request.user),
    ).first()
    if deliverable is None:
        raise Http404

    def run(rm: Any) -> str:
        submission = services.report_upward(
            actor=request.user, role_model=rm, deliverable=deliverable
        )
        return reverse("submission_edit", args=[submission.pk])

    return _act(request, pk, run, "已生成「红色防火墙」报送草稿，请核对后报送。")


@login_required
@require_safe
def role_model_file(request: AuthedRequest, pk: int) -> Any:
    file = RoleModelFile.objects.filter(pk=pk).first()
    if file is None:
        raise Http404
    rm = get_role_model_for_user(request.user, file.role_model_id)
    if not manages(request.user, rm) and not can(request.user, Perm.ROLE_MODEL_PUBLISH, rm.org):
        raise Http404
    return attached_file_response(request, file)
