"""Pages of campaigns, deliverables, submissions, review and the progress board.

Objects are fetched only through campaigns.scope; every write calls campaigns.services.
"""

import tempfile
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from access.http import AuthedRequest
from access.scope import Perm, can, has_perm_anywhere, members_for_user, require_anywhere
from audit.once import submit_once, submit_token_claim, submit_token_done, submit_token_replay
from audit.services import audit_record
from campaigns import selectors, services
from campaigns.forms import (
    CampaignForm,
    DeliverableForm,
    ReviewForm,
    SubmissionForm,
    SummaryForm,
    TransitionForm,
    authors_text,
)
from campaigns.models import (
    TRANSITIONS,
    Deliverable,
    DeliverableKind,
    LatePolicy,
    MaterialType,
    SubmissionState,
    UnitSummary,
)
from campaigns.scope import (
    OUTPUT_PERMS,
    campaigns_for_user,
    get_campaign_for_user,
    get_deliverable_for_user,
    get_submission_file_for_user,
    get_submission_for_user,
    may_edit_submission,
    may_manage_campaigns,
    may_review_submission,
    may_view_board,
    sees_campaigns,
    submitting_orgs_for_user,
)
from lib.params import parse_day, parse_id
from orgs.models import Org

S = SubmissionState
PER_PAGE = 30
# Changes of state a reviewer makes (the unit's own are submit, withdraw and redraft).
REVIEW_ACTIONS: dict[str, tuple[str, str]] = {
    S.SHORTLISTED: ("入围", "btn-outline-primary"),
    S.SELECTED: ("择优", "btn-success"),
    S.RECOMMENDED: ("推荐", "btn-outline-success"),
    S.PUBLISHED: ("发布", "btn-party"),
    S.RETURNED: ("退回", "btn-outline-danger"),
}
ACCEPT = {
    MaterialType.VIDEO: ".mp4,.mov,.m4v,.webm,.mkv,.avi",
    MaterialType.PICTURE: ".jpg,.jpeg,.png,.gif,.webp",
    MaterialType.AUDIO: ".mp3,.m4a,.wav,.ogg,.flac",
    MaterialType.TEXT: ".pdf,.docx,.txt",
    MaterialType.CASE: ".pdf,.docx",
}


def _require_campaigns(user: Any) -> None:
    if not sees_campaigns(user):
        raise PermissionDenied


def _uploader_ready() -> bool:
    try:
        get_template("includes/uploader.html")
    except TemplateDoesNotExist:
        return False
    return True


def _accept(deliverable: Deliverable) -> str:
    parts: list[str] = []
    for t in deliverable.material_types:
        parts += ACCEPT.get(t, "").split(",")
    if deliverable.kind == DeliverableKind.MICRO_LECTURE:
        parts += [".srt", ".vtt", ".ass"]
    return ",".join(dict.fromkeys(p for p in parts if p))


# --- campaigns -------------------------------------------------------------------------------


@login_required
def campaign_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    _require_campaigns(user)
    campaigns = list(campaigns_for_user(user).prefetch_related("deliverables"))
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "campaigns": campaigns,
            "can_manage": may_manage_campaigns(user),
            "can_view_board": may_view_board(user),
            "can_list_submissions": has_perm_anywhere(user, Perm.SUBMISSION_VIEW),
        },
    )


@login_required
def campaign_new(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.CAMPAIGN_MANAGE)
    school = Org.objects.filter(depth=1).first()
    if school is None or not can(user, Perm.CAMPAIGN_MANAGE, school):
        raise PermissionDenied
    if replay := submit_token_replay(request):
        return replay
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            claim = submit_token_claim(request)
            if isinstance(claim, HttpResponse):
                return claim
            campaign = services.campaign_create(actor=user, org=school, **form.cleaned_data)
            url = reverse("campaign_detail", args=[campaign.pk])
            submit_token_done(claim, url)
        messages.success(request, f"已创建活动「{campaign.name}」，请添加任务项。")
        return redirect(url)
    return render(request, "campaigns/form.html", {"form": form, "title": "新建活动"})


@login_required
def campaign_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    campaign = get_campaign_for_user(user, pk, Perm.CAMPAIGN_MANAGE)
    form = CampaignForm(
        request.POST or None,
        initial={"name": campaign.name, "year": campaign.year, "description": campaign.description},
    )
    if request.method == "POST" and form.is_valid():
        services.campaign_update(actor=user, campaign=campaign, **form.cleaned_data)
        messages.success(request, "已保存。")
        return redirect("campaign_detail", pk=campaign.pk)
    return render(
        request,
        "campaigns/form.html",
        {"form": form, "title": f"编辑活动：{campaign.name}", "back": campaign},
    )


@login_required
def campaign_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    campaign = get_campaign_for_user(user, pk)
    deliverables = selectors.deliverables_of(campaign)
    counts = selectors.own_counts(user=user, campaign=campaign)
    can_submit = has_perm_anywhere(user, Perm.SUBMISSION_EDIT)
    rows = [{"d": d, "own": counts.get(d.pk, {"drafts": 0, "counted": 0})} for d in deliverables]
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "rows": rows,
            "can_manage": can(user, Perm.CAMPAIGN_MANAGE, campaign.org),
            "can_submit": can_submit,
            "can_view_board": may_view_board(user),
            "can_list_submissions": has_perm_anywhere(user, Perm.SUBMISSION_VIEW),
            "can_outputs": any(can(user, p, campaign.org) for p in OUTPUT_PERMS),
        },
    )


def _deliverable_form_view(
    request: AuthedRequest, *, campaign: Any, deliverable: Deliverable | None
) -> HttpResponse:
    user = request.user
    if replay := submit_token_replay(request):
        return replay
    form = DeliverableForm(request.POST or None, instance=deliverable or Deliverable())
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()

        def write() -> str:
            if deliverable is None:
                saved = services.deliverable_create(actor=user, campaign=campaign, **fields)
                messages.success(request, f"已添加任务项「{saved.name}」。")
            else:
                # The form wrote onto the instance; the service diffs a fresh copy.
                fresh = Deliverable.objects.get(pk=deliverable.pk)
                services.deliverable_update(actor=user, deliverable=fresh, **fields)
                messages.success(request, "已保存。")
            if form.deadline_passed():
                deadline = timezone.localtime(fields["deadline"])
                late = (
                    "各单位已无法报送"
                    if fields["late_policy"] == LatePolicy.REFUSE
                    else "各单位现在报送将被标记为逾期"
                )
                messages.warning(
                    request,
                    f"截止时间已过（{deadline:%Y-%m-%d %H:%M}）：{late}。"
                    "如非有意，请修改截止时间。",
                )
            return reverse("campaign_detail", args=[campaign.pk])

        if done := submit_once(request, form, write):
            return done
    title = f"编辑任务项：{deliverable.name}" if deliverable else f"添加任务项：{campaign.name}"
    return render(request, "campaigns/form.html", {"form": form, "title": title, "back": campaign})


@login_required
def deliverable_new(request: AuthedRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk, Perm.CAMPAIGN_MANAGE)
    return _deliverable_form_view(request, campaign=campaign, deliverable=None)


@login_required
def deliverable_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    deliverable = get_deliverable_for_user(request.user, pk, Perm.CAMPAIGN_MANAGE)
    return _deliverable_form_view(request, campaign=deliverable.campaign, deliverable=deliverable)


@login_required
def campaign_board(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    campaign = get_campaign_for_user(user, pk)
    if not may_view_board(user):
        raise PermissionDenied
    board = selectors.board(user=user, campaign=campaign)
    return render(
        request,
        "campaigns/board.html",
        {"campaign": campaign, "board": board, "totals": board.totals()},
    )


@login_required
def deliverable_summary(request: AuthedRequest, pk: int) -> HttpResponse:
    """The unit's 情况总结 for a deliverable that asks for one."""
    user = request.user
    deliverable = get_deliverable_for_user(user, pk)
    require_anywhere(user, Perm.SUBMISSION_EDIT)
    if not deliverable.requires_summary:
        raise Http404
    orgs = submitting_orgs_for_user(user, deliverable).filter(depth=2)
    org_id = parse_id(request.POST.get("org") or request.GET.get("org"))
    org = orgs.filter(pk=org_id).first() if org_id else orgs.first()
    existing = UnitSummary.objects.filter(deliverable=deliverable, org=org).first() if org else None
    form = SummaryForm(
        request.POST or None,
        orgs=orgs,
        initial={"org": org, "text": existing.text if existing else ""},
    )
    if request.method == "POST" and form.is_valid():

        def write() -> str:
            services.unit_summary_save(
                actor=user,
                deliverable=deliverable,
                org=form.cleaned_data["org"],
                text=form.cleaned_data["text"],
            )
            messages.success(request, "已保存情况总结。")
            return reverse("campaign_detail", args=[deliverable.campaign_id])

        if done := submit_once(request, form, write):
            return done
    return render(
        request,
        "campaigns/form.html",
        {
            "form": form,
            "title": f"情况总结：{deliverable.name}",
            "back": deliverable.campaign,
            "existing": existing,
        },
    )


# --- submissions -------------------------------------------------------------------------------


@login_required
def submission_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.SUBMISSION_VIEW)
    g = request.GET
    filters = selectors.SubmissionFilters(
        q=g.get("q", "").strip(),
        campaign=parse_id(g.get("campaign")),
        deliverable=parse_id(g.get("deliverable")),
        state=g.get("state", "") if g.get("state", "") in S.values else "",
        unit=parse_id(g.get("unit")),
        late=g.get("late") == "1",
        counted=g.get("counted") == "1",
        date_from=parse_day(g.get("date_from")),
        date_to=parse_day(g.get("date_to")),
    )
    qs = selectors.submission_list(user=user, filters=filters)
    page = Paginator(qs, PER_PAGE).get_page(g.get("page"))
    keys = ("q", "campaign", "deliverable", "state", "unit", "late", "counted", "date_from")
    params = {k: g[k] for k in (*keys, "date_to") if g.get(k)}
    campaigns = list(campaigns_for_user(user).prefetch_related("deliverables"))
    units = Org.objects.filter(depth=2).order_by("path").values_list("pk", "name")
    context = {
        "page": page,
        "filters": filters,
        "campaigns": campaigns,
        "units": units,
        "states": S.choices,
        "querystring_nopage": urlencode(params),
    }
    template = "campaigns/submission_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, context)


def _members_for(user: Any, org: Org | None) -> Any:
    members = members_for_user(user, Perm.MEMBER_VIEW)
    return members.filter(branch__path__startswith=org.path) if org is not None else members


@login_required
def submission_new(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    deliverable = get_deliverable_for_user(user, pk)
    require_anywhere(user, Perm.SUBMISSION_EDIT)
    orgs = submitting_orgs_for_user(user, deliverable).order_by("path")
    if not orgs.exists():
        raise PermissionDenied
    if replay := submit_token_replay(request):
        return replay
    form = SubmissionForm(
        request.POST or None, deliverable=deliverable, orgs=orgs, members=_members_for(user, None)
    )
    if request.method == "POST" and form.is_valid():

        def write() -> str:
            submission = services.submission_create(
                actor=user,
                deliverable=deliverable,
                org=form.cleaned_data["org"],
                authors=form.cleaned_data["authors"],
                **form.service_fields(),
            )
            url = reverse("submission_edit", args=[submission.pk])
            messages.success(request, "已保存草稿，请上传材料后报送。")
            return url

        if done := submit_once(request, form, write):
            return done
    return render(
        request,
        "campaigns/submission_form.html",
        {"form": form, "deliverable": deliverable, "title": f"新建报送：{deliverable.name}"},
    )


def _incoming_uploads(
    user: Any, ids: list[str]
) -> tuple[list[services.IncomingFile], list[tuple[str, str]]]:
    """Claim the finished uploads named by the uploader's hidden inputs."""
    if not ids:
        return [], []
    from uploads import services as uploads  # the resumable-upload app

    incoming: list[services.IncomingFile] = []
    refused: list[tuple[str, str]] = []
    for raw in dict.fromkeys(ids):
        try:
            upload = uploads.upload_claim(user=user, upload_id=raw)
        except (ValidationError, Http404, PermissionDenied, ValueError) as e:
            refused.append((raw, _message(e) or "上传未完成或已失效，请重新上传。"))
            continue
        incoming.append(
            services.IncomingFile(
                name=_upload_name(upload),
                path=Path(uploads.upload_path(upload)),
                move=partial(_upload_move, upload),
                discard=partial(uploads.upload_discard, upload),
                sha256=getattr(upload, "sha256", "") or "",
            )
        )
    return incoming, refused


def _upload_move(upload: Any, to: str) -> str:
    from uploads import services as uploads

    return uploads.upload_move(upload, to=to)


def _upload_name(upload: Any) -> str:
    for attr in ("filename", "original_name", "name"):
        value = getattr(upload, attr, "")
        if value:
            return str(value)
    return "file"


def _incoming_posted(request: AuthedRequest) -> list[services.IncomingFile]:
    """Files sent in the form itself (small files; the page's fallback without the uploader)."""
    incoming = []
    for f in request.FILES.getlist("files"):
        with tempfile.NamedTemporaryFile(prefix="submission-", delete=False) as out:
            for chunk in f.chunks():
                out.write(chunk)
        incoming.append(
            services.incoming_from_path(Path(out.name), name=f.name or "file", keep_source=False)
        )
    return incoming


def _message(e: Exception) -> str:
    if isinstance(e, ValidationError):
        return "；".join(e.messages)
    return str(e) if str(e) else ""


@login_required
def submission_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    submission = get_submission_for_user(user, pk, Perm.SUBMISSION_EDIT)
    if submission.state != S.DRAFT:
        messages.warning(request, "只有草稿可以修改；已报送的请先撤回。")
        return redirect("submission_detail", pk=submission.pk)
    deliverable = submission.deliverable
    detail = selectors.submission_detail(submission)
    initial = {
        "title": submission.title,
        "summary": submission.summary,
        "topic": submission.topic,
        "subkind": submission.subkind,
        "tags": "、".join(submission.tags),
        "authors": authors_text(detail["authors"]),
    }
    form = SubmissionForm(
        request.POST or None,
        initial=initial,
        deliverable=deliverable,
        orgs=None,
        members=_members_for(user, submission.org),
    )
    if request.method == "POST" and form.is_valid():
        # The fields and the files are saved together, once per form token (a double click
        # does not attach the same files twice).
        with transaction.atomic():
            claim = submit_token_claim(request)
            if isinstance(claim, HttpResponse):
                return claim
            try:
                services.submission_update(
                    actor=user,
                    submission=submission,
                    authors=form.cleaned_data["authors"],
                    **form.service_fields(),
                )
            except ValidationError as e:
                transaction.set_rollback(True)
                form.add_error(None, e)
                result = None
            else:
                incoming, refused = _incoming_uploads(user, request.POST.getlist("upload_ids"))
                incoming += _incoming_posted(request)
                result = services.submission_attach(
                    actor=user, submission=submission, incoming=incoming
                )
                stay = bool(refused or result.refused or request.POST.get("stay"))
                url = reverse(
                    "submission_edit" if stay else "submission_detail", args=[submission.pk]
                )
                submit_token_done(claim, url)
        if result is not None:
            for name, reason in refused + result.refused:
                messages.error(request, f"文件「{name}」未被接收：{reason}")
            for f in result.files:
                messages.success(request, f"已接收文件「{f.original_name}」。")
                for w in f.warnings:
                    messages.warning(request, f"「{f.original_name}」：{w}")
            if not stay:
                messages.success(request, "已保存。")
            return redirect(url)
    return render(
        request,
        "campaigns/submission_form.html",
        {
            "form": form,
            "submission": submission,
            "deliverable": deliverable,
            "files": detail["files"],
            "title": f"编辑报送：{submission.title}",
            "uploader_ready": _uploader_ready(),
            "accept": _accept(deliverable),
            "problems": services.submission_problems(submission),
        },
    )


@login_required
def submission_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    submission = get_submission_for_user(user, pk)
    detail = selectors.submission_detail(submission)
    editable = may_edit_submission(user, submission)
    reviewer = may_review_submission(user, submission)
    allowed = TRANSITIONS.get(submission.state, set())
    review_actions = (
        [(state, *REVIEW_ACTIONS[state]) for state in REVIEW_ACTIONS if state in allowed]
        if reviewer
        else []
    )
    return render(
        request,
        "campaigns/submission_detail.html",
        {
            "submission": submission,
            "deliverable": submission.deliverable,
            **detail,
            "warnings": [(f, w) for f in detail["files"] for w in f.warnings],
            "can_edit": editable and submission.state == S.DRAFT,
            "can_submit": editable and submission.state == S.DRAFT,
            "can_withdraw": editable and submission.state == S.SUBMITTED,
            "can_redraft": editable and submission.state in (S.WITHDRAWN, S.RETURNED),
            "can_review": reviewer and submission.state not in (S.DRAFT, S.WITHDRAWN),
            "review_actions": review_actions,
            "recommend_targets": services.recommend_targets(submission.deliverable),
            "review_form": ReviewForm(initial={"score": submission.score}),
            "problems": services.submission_problems(submission)
            if submission.state == S.DRAFT
            else [],
        },
    )


@login_required
@require_POST
def submission_action(request: AuthedRequest, pk: int) -> HttpResponse:
    """The unit's own moves: 报送 (submit), 撤回 (withdraw), 重新编辑 (back to draft)."""
    user = request.user
    submission = get_submission_for_user(user, pk, Perm.SUBMISSION_EDIT)
    action = request.POST.get("action", "")
    url = reverse("submission_detail", args=[submission.pk])
    with transaction.atomic():
        claim = submit_token_claim(request)
        if isinstance(claim, HttpResponse):
            return claim
        try:
            if action == "submit":
                services.submission_submit(actor=user, submission=submission)
                done = "已报送。" + ("（已逾期，标记为逾期报送）" if submission.is_late else "")
            elif action == "withdraw":
                services.submission_withdraw(
                    actor=user, submission=submission, comment=request.POST.get("comment", "")
                )
                done = "已撤回，可重新编辑后再次报送。"
            elif action == "redraft":
                services.submission_redraft(actor=user, submission=submission)
                done = "已转为草稿。"
                url = reverse("submission_edit", args=[submission.pk])
            else:
                raise ValidationError("未知的操作。")
        except ValidationError as e:
            transaction.set_rollback(True)
            for m in e.messages:
                messages.error(request, m)
            return redirect("submission_detail", pk=submission.pk)
        submit_token_done(claim, url)
    messages.success(request, done)
    return redirect(url)


@login_required
@require_POST
def submission_review(request: AuthedRequest, pk: int) -> HttpResponse:
    """A score and / or a comment."""
    user = request.user
    submission = get_submission_for_user(user, pk, Perm.SUBMISSION_REVIEW)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for m in errors:
                messages.error(request, str(m))
        return redirect("submission_detail", pk=submission.pk)
    url = reverse("submission_detail", args=[submission.pk])

    def review() -> str:
        services.submission_review(
            reviewer=user,
            submission=submission,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
        )
        messages.success(request, "已记录评审意见。")
        return url

    return submit_once(request, None, review, refused_url=url) or redirect(url)


@login_required
@require_POST
def submission_transition(request: AuthedRequest, pk: int) -> HttpResponse:
    """A reviewer's change of state: 入围, 择优, 推荐, 发布, 退回."""
    user = request.user
    submission = get_submission_for_user(user, pk, Perm.SUBMISSION_REVIEW)
    form = TransitionForm(request.POST)
    to_state = request.POST.get("to_state", "")
    if not form.is_valid() or to_state not in REVIEW_ACTIONS:
        messages.error(request, "请求有误。")
        return redirect("submission_detail", pk=submission.pk)
    url = reverse("submission_detail", args=[submission.pk])

    def transition() -> str:
        services.submission_transition(
            submission=submission,
            to_state=to_state,
            actor=user,
            comment=form.cleaned_data["comment"],
            recommended_to=form.cleaned_data["recommended_to"],
        )
        messages.success(request, f"已{REVIEW_ACTIONS[to_state][0]}。")
        return url

    return submit_once(request, None, transition, refused_url=url) or redirect(url)


@login_required
@require_POST
def submission_file_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    file = get_submission_file_for_user(user, pk)
    if not may_edit_submission(user, file.submission):
        raise PermissionDenied
    try:
        services.submission_file_delete(actor=user, file=file)
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
    else:
        messages.success(request, f"已删除文件「{file.original_name}」。")
    return redirect("submission_edit", pk=file.submission_id)


@login_required
def submission_file(request: AuthedRequest, pk: int) -> Any:
    """A submission's file, inline (play, preview) or as a download; range requests work."""
    file = get_submission_file_for_user(request.user, pk)
    download = request.GET.get("download") == "1"
    # A download is an export: audited, as in the library (a resumed one only once).
    if download and request.headers.get("Range", "") in ("", "bytes=0-"):
        audit_record(
            actor=request.user,
            action="submission.file_download",
            target=file.submission,
            label=f"报送文件下载：{file.original_name}",
            changes={"file": file.pk, "name": file.original_name},
        )
    try:
        from uploads.serving import ranged_file_response
    except ImportError:
        return FileResponse(
            file.file.open("rb"),
            as_attachment=download,
            filename=file.original_name,
            content_type=file.content_type or None,
        )
    return ranged_file_response(
        request,
        file.file,
        content_type=file.content_type or "application/octet-stream",
        filename=file.original_name,
        as_attachment=download,
    )


@login_required
def member_options(request: AuthedRequest) -> HttpResponse:
    """<option>s for the authors field: members in scope matching what is typed (htmx)."""
    user = request.user
    require_anywhere(user, Perm.SUBMISSION_EDIT)
    q = request.GET.get("q", "").strip().splitlines()
    term = q[-1].strip() if q else ""
    members = []
    if term:
        # One filter, not a UNION: SQLite refuses ORDER BY inside a compound statement.
        members = list(
            members_for_user(user, Perm.MEMBER_VIEW)
            .filter(Q(name__contains=term) | Q(number__startswith=term))
            .order_by("number")[:20]
        )
    return render(request, "campaigns/member_options.html", {"members": members})
