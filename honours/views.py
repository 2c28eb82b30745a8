"""表彰评比 pages: thin views over honours.scope, selectors and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from access.http import AuthedRequest
from access.scope import (
    Perm,
    can,
    get_member_for_user,
    get_org_for_user,
    has_perm_anywhere,
    members_for_user,
    orgs_for_user,
    require_anywhere,
)
from audit.once import submit_once, submit_token_replay
from audit.services import audit_record
from honours import selectors, services
from honours.certificates import certificates_docx
from honours.forms import NominationForm, NoteForm, ObjectionForm, QuotaForm, RoundForm
from honours.models import CommendationRound, NominationState, Objection
from honours.scope import (
    get_nomination_for_user,
    get_round_for_user,
    may_see_rounds,
    nominations_for_user,
    sees_evidence,
)
from orgs.models import Org
from uploads.serving import attachment_response, download_name

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _require_rounds(request: AuthedRequest) -> None:
    if not may_see_rounds(request.user):
        raise PermissionDenied


@login_required
def round_list(request: AuthedRequest) -> HttpResponse:
    _require_rounds(request)
    today = timezone.localdate()
    rounds = [(r, r.stage(today)) for r in CommendationRound.objects.all()[:100]]
    return render(
        request,
        "honours/round_list.html",
        {"rounds": rounds, "may_manage": has_perm_anywhere(request.user, Perm.HONOUR_MANAGE)},
    )


@login_required
def round_new(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.HONOUR_MANAGE)
    if replay := submit_token_replay(request):
        return replay
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def create() -> str:
            item = services.round_create(actor=user, **form.cleaned_data)
            messages.success(request, f"已发起{item}。")
            return reverse("honour_round_detail", args=[item.pk])

        if done := submit_once(request, form, create):
            return done
    return render(request, "honours/form.html", {"form": form, "title": "发起表彰评比"})


def _units(user: object, perm: str) -> object:
    return orgs_for_user(user, perm).filter(depth=2)


@login_required
def round_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    item = get_round_for_user(user, pk)
    today = timezone.localdate()
    manage = has_perm_anywhere(user, Perm.HONOUR_MANAGE)
    nominate = has_perm_anywhere(user, Perm.HONOUR_NOMINATE)
    nominations = selectors.nomination_list(
        nominations=nominations_for_user(user).filter(round=item)
    )
    quota_units = _units(user, Perm.HONOUR_MANAGE if manage else Perm.HONOUR_NOMINATE)
    return render(
        request,
        "honours/round_detail.html",
        {
            "round": item,
            "stage": item.stage(today),
            "nominations": list(nominations),
            "quotas": selectors.quota_table(round_=item, units=quota_units)  # type: ignore[arg-type]
            if manage or nominate
            else [],
            "manage": manage,
            "may_nominate": nominate and item.nominate_from <= today <= item.nominate_until,
            "may_publicise": manage and item.publicity_from is None,
            "may_finalise": manage
            and item.finalised_at is None
            and item.publicity_until is not None
            and today > item.publicity_until,
            "awarded": item.finalised_at is not None,
        },
    )


@login_required
def nominate(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    item = get_round_for_user(user, pk)
    require_anywhere(user, Perm.HONOUR_NOMINATE)
    if replay := submit_token_replay(request):
        return replay
    form = NominationForm(
        request.POST or None,
        people=members_for_user(user, Perm.HONOUR_NOMINATE),
        branches=orgs_for_user(user, Perm.HONOUR_NOMINATE).branches().order_by("path"),
        for_branches=item.for_branches,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def create() -> str:
            nomination = services.nomination_create(
                actor=user,
                round_=item,
                reason=data["reason"],
                member=data.get("member"),
                branch=data.get("branch"),
            )
            messages.success(request, f"已推荐{nomination.nominee_name}，请勾选佐证材料。")
            return reverse("honour_nomination_detail", args=[nomination.pk])

        if done := submit_once(request, form, create):
            return done
    return render(
        request, "honours/form.html", {"form": form, "title": f"推荐：{item}", "round": item}
    )


@login_required
def nomination_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    nomination = get_nomination_for_user(user, pk)
    evidence_visible = sees_evidence(user, nomination)
    round_ = nomination.round
    today = timezone.localdate()
    may_add = (
        can(user, Perm.HONOUR_NOMINATE, nomination.unit)
        and nomination.state == NominationState.NOMINATED
    )
    attached = set()
    offered = []
    if may_add:
        attached = {f"{k}:{i}" for k, i in nomination.evidence.values_list("kind", "object_id")}
        offered = [
            c
            for c in selectors.candidates(member=nomination.member, branch=nomination.branch)
            if c.key not in attached
        ]
    in_publicity = (
        round_.publicity_from is not None
        and round_.publicity_until is not None
        and round_.publicity_from <= today <= round_.publicity_until
        and nomination.state == NominationState.SELECTED
    )
    manage = can(user, Perm.HONOUR_MANAGE, nomination.unit)
    return render(
        request,
        "honours/nomination_detail.html",
        {
            "n": nomination,
            "evidence": list(nomination.evidence.all()) if evidence_visible else None,
            "offered": offered,
            "may_review": manage
            and round_.publicity_from is None
            and round_.nominate_until < today <= round_.review_until,
            "may_object": in_publicity,
            "objections": list(nomination.objections.all()) if manage else [],
            "manage": manage,
            "note_form": NoteForm(),
            "objection_form": ObjectionForm(),
        },
    )


@login_required
@require_POST
def evidence_add(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    nomination = get_nomination_for_user(user, pk, Perm.HONOUR_NOMINATE)
    url = reverse("honour_nomination_detail", args=[nomination.pk])
    keys = [k[:40] for k in request.POST.getlist("evidence")[:200]]

    def add() -> str:
        n = services.evidence_add(actor=user, nomination=nomination, keys=keys)
        messages.success(request, f"已附 {n} 条佐证材料。")
        return url

    return submit_once(request, None, add, refused_url=url) or redirect(url)


@login_required
@require_POST
def review(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    nomination = get_nomination_for_user(user, pk, Perm.HONOUR_MANAGE)
    url = reverse("honour_nomination_detail", args=[nomination.pk])
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    selected = request.POST.get("decision") == "select"

    def decide() -> str:
        services.nomination_review(actor=user, nomination=nomination, selected=selected, note=note)
        messages.success(request, "已评审：" + ("拟表彰" if selected else "未入选"))
        return url

    return submit_once(request, None, decide, refused_url=url) or redirect(url)


@login_required
@require_POST
def objection_raise(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    nomination = get_nomination_for_user(user, pk)
    url = reverse("honour_nomination_detail", args=[nomination.pk])
    form = ObjectionForm(request.POST)
    text = form.cleaned_data["text"] if form.is_valid() else ""

    def raise_it() -> str:
        services.objection_raise(actor=user, nomination=nomination, text=text)
        messages.success(request, "异议已提交，组织部将核查处理。")
        return url

    return submit_once(request, None, raise_it, refused_url=url) or redirect(url)


@login_required
@require_POST
def objection_handle(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    objection = Objection.objects.filter(pk=pk).select_related("nomination").first()
    if objection is None:
        raise Http404
    nomination = get_nomination_for_user(user, objection.nomination_id, Perm.HONOUR_MANAGE)
    url = reverse("honour_nomination_detail", args=[nomination.pk])
    form = NoteForm(request.POST)
    reply = form.cleaned_data["note"] if form.is_valid() else ""
    upheld = request.POST.get("decision") == "upheld"

    def handle() -> str:
        services.objection_handle(actor=user, objection=objection, upheld=upheld, reply=reply)
        messages.success(request, "异议已处理。")
        return url

    return submit_once(request, None, handle, refused_url=url) or redirect(url)


def _round_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    user = request.user
    item = get_round_for_user(user, pk, Perm.HONOUR_MANAGE)
    url = reverse("honour_round_detail", args=[item.pk])

    def act() -> str:
        if action == "publicity":
            services.publicity_start(actor=user, round_=item)
            messages.success(request, "已开始公示。")
        elif action == "finalise":
            n = services.round_finalise(actor=user, round_=item)
            messages.success(request, f"名单已确定：{n} 个。")
        else:
            form = QuotaForm(request.POST)
            if not form.is_valid():
                raise ValidationError("请填写名额（0 至 1000）。")
            unit = get_org_for_user(user, form.cleaned_data["unit"], Perm.HONOUR_MANAGE)
            services.quota_set(actor=user, round_=item, unit=unit, quota=form.cleaned_data["quota"])
            messages.success(request, f"{unit.name}名额已设为 {form.cleaned_data['quota']}。")
        return url

    return submit_once(request, None, act, refused_url=url) or redirect(url)


@login_required
@require_POST
def publicity_start(request: AuthedRequest, pk: int) -> HttpResponse:
    return _round_action(request, pk, "publicity")


@login_required
@require_POST
def round_finalise(request: AuthedRequest, pk: int) -> HttpResponse:
    return _round_action(request, pk, "finalise")


@login_required
@require_POST
def quota_set(request: AuthedRequest, pk: int) -> HttpResponse:
    return _round_action(request, pk, "quota")


@login_required
def certificates(request: AuthedRequest, pk: int) -> HttpResponse:
    """The round's certificates (组织部: all; a unit admin: their unit's honours)."""
    user = request.user
    item = get_round_for_user(user, pk)
    require_anywhere(user, Perm.HONOUR_NOMINATE)
    honours = (
        nominations_for_user(user)
        .filter(round=item, state=NominationState.AWARDED)
        .select_related("round", "member", "branch", "unit")
        .order_by("certificate_no")
    )
    visible = [h for h in honours if sees_evidence(user, h)]
    if not visible:
        raise Http404
    school = Org.objects.filter(depth=1).order_by("path").first()
    issuer = school.name if school else "中共党委"
    data = certificates_docx(visible, issuer=issuer)
    audit_record(actor=user, action="honour.certificates", target=item, label=f"荣誉证书：{item}")
    return attachment_response(data, download_name(str(item), "荣誉证书", ext="docx"), DOCX)


@login_required
def member_honours(request: AuthedRequest, pk: int) -> HttpResponse:
    member = get_member_for_user(request.user, pk)
    return render(
        request,
        "honours/honours_of.html",
        {"name": member.name, "honours": list(selectors.honours_of(member=member))},
    )


@login_required
def org_honours(request: AuthedRequest, pk: int) -> HttpResponse:
    org = get_org_for_user(request.user, pk)
    return render(
        request,
        "honours/honours_of.html",
        {"name": org.name, "honours": list(selectors.honours_of(branch=org))},
    )
