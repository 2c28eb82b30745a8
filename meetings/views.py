"""Meeting pages: the list, record and edit with attendance on one screen, the detail with its
timeline, submit / approve / return, the review queue, self check-in, the branch committee."""

import datetime as dt
from typing import Any
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST, require_safe

from access.http import AuthedRequest
from access.scope import Perm, can, has_perm_anywhere, own_member_id, paths_with
from audit.once import submit_once, submit_token_replay
from audit.services import audit_record
from lib.params import parse_id
from lib.xlsx import XLSX_CONTENT_TYPE
from meetings import services
from meetings.forms import (
    CheckInForm,
    MeetingFilterForm,
    MeetingForm,
    ReturnForm,
    SeatForm,
    StoryForm,
)
from meetings.minutes import minutes_docx
from meetings.models import (
    AttendanceStatus,
    CommitteeSeat,
    Meeting,
    MeetingFile,
    MeetingKind,
    MeetingState,
    MeetingStory,
    StoryFile,
)
from meetings.scope import (
    get_branch_for_committee,
    get_meeting_for_user,
    may_record,
    may_take_step,
    meetings_for_user,
    meetings_to_review,
    meetings_within,
    recording_orgs_for_user,
    review_step,
)
from meetings.spreadsheets import meetings_xlsx
from members import services as member_services
from members.models import Member
from orgs.models import Org, OrgKind
from uploads.serving import attached_file_response, attachment_response, download_name

PAGE_SIZE = 20
XLSX = XLSX_CONTENT_TYPE


def _require_view(user: Any) -> None:
    if own_member_id(user) is None and not has_perm_anywhere(user, Perm.MEETING_VIEW):
        raise PermissionDenied


def _month_range(month: str) -> tuple[dt.datetime, dt.datetime]:
    year, mon = (int(x) for x in month.split("-"))
    start = dt.date(year, mon, 1)
    end = dt.date(year + (mon == 12), mon % 12 + 1, 1)
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end, dt.time.min, tzinfo=tz),
    )


def _filtered(qs: QuerySet[Meeting], form: MeetingFilterForm) -> QuerySet[Meeting]:
    if not form.is_valid():
        return qs.none()
    data = form.cleaned_data
    if data["kind"]:
        qs = qs.filter(kind=data["kind"])
    if data["state"]:
        qs = qs.filter(state=data["state"])
    if data["month"]:
        start, end = _month_range(data["month"])
        qs = qs.filter(held_at__gte=start, held_at__lt=end)
    return meetings_within(
        qs, org_id=data["org"], date_from=data["date_from"], date_to=data["date_to"]
    )


def _list_page(
    request: AuthedRequest, qs: QuerySet[Meeting], template: str, extra: dict[str, Any]
) -> HttpResponse:
    form = MeetingFilterForm(request.GET or None)
    qs = _filtered(qs, form) if request.GET else qs
    qs = qs.select_related("org").order_by("-held_at", "-planned_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    keys = ("kind", "state", "month", "org", "date_from", "date_to")
    params = {k: request.GET[k] for k in keys if request.GET.get(k)}
    context = {
        "page": page,
        "form": form,
        "kinds": MeetingKind.choices,
        "states": MeetingState.choices,
        "params": params,
        "querystring_nopage": urlencode(params),
        **extra,
    }
    if request.htmx:
        template = f"{template}#rows"
    return render(request, template, context)


@login_required
def meeting_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    _require_view(user)
    extra = {
        "can_record": has_perm_anywhere(user, Perm.MEETING_RECORD),
        "can_review": has_perm_anywhere(user, Perm.MEETING_APPROVE_UNIT)
        or has_perm_anywhere(user, Perm.MEETING_APPROVE_SCHOOL),
        "title": "会议记录",
        "can_export": has_perm_anywhere(user, Perm.MEETING_VIEW),
    }
    return _list_page(request, meetings_for_user(user), "meetings/list.html", extra)


@login_required
def meeting_export(request: AuthedRequest) -> HttpResponse:
    """The filtered meeting list as .xlsx, with attendance counts (one query for the rows)."""
    user = request.user
    if not has_perm_anywhere(user, Perm.MEETING_VIEW):
        raise PermissionDenied
    form = MeetingFilterForm(request.GET or None)
    qs = _filtered(meetings_for_user(user), form) if request.GET else meetings_for_user(user)
    rows = (
        qs.select_related("org", "host", "recorder")
        .annotate(
            n_expected=Count("attendance"),
            n_present=Count("attendance", filter=Q(attendance__status=AttendanceStatus.PRESENT)),
            n_leave=Count("attendance", filter=Q(attendance__status=AttendanceStatus.LEAVE)),
            n_absent=Count("attendance", filter=Q(attendance__status=AttendanceStatus.ABSENT)),
        )
        .order_by("org__path", "-held_at", "-id")
    )
    data = meetings_xlsx(rows)
    audit_record(actor=user, action="meeting.export", changes={"filters": dict(request.GET)})
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return attachment_response(data, download_name("会议记录", stamp, ext="xlsx"), XLSX)


@login_required
def meeting_queue(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not (
        has_perm_anywhere(user, Perm.MEETING_APPROVE_UNIT)
        or has_perm_anywhere(user, Perm.MEETING_APPROVE_SCHOOL)
    ):
        raise PermissionDenied
    extra = {"can_record": False, "can_review": True, "title": "待审核的会议", "queue": True}
    return _list_page(request, meetings_to_review(user), "meetings/list.html", extra)


def _member_choices(user: Any) -> QuerySet[Member]:
    q = Member.objects.none()
    for root in paths_with(user, Perm.MEETING_RECORD):
        q = q | Member.objects.filter(branch__path__startswith=root)
    return q.order_by("branch__path", "number")


def _form(request: AuthedRequest, meeting: Meeting | None) -> MeetingForm:
    user = request.user
    return MeetingForm(
        request.POST or None,
        instance=meeting,
        orgs=recording_orgs_for_user(user).order_by("path"),
        members=_member_choices(user),
    )


@login_required
def meeting_new(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not has_perm_anywhere(user, Perm.MEETING_RECORD):
        raise PermissionDenied
    if replay := submit_token_replay(request):
        return replay
    form = _form(request, None)
    if request.method == "GET":
        org = request.GET.get("org", "")
        kind = request.GET.get("kind", "")
        form.initial.update({"org": org if org.isdigit() else None, "kind": kind or None})
    if request.method == "POST" and form.is_valid():

        def write() -> str:
            meeting = services.meeting_create(actor=user, data=form.cleaned_data)
            messages.success(request, "会议已保存为草稿，请标记出席情况。")
            return reverse("meeting_edit", args=[meeting.pk])

        if response := submit_once(request, form, write):
            return response
    return render(request, "meetings/form.html", {"form": form, "meeting": None})


def _marks(request: AuthedRequest, meeting: Meeting) -> dict[int, tuple[str, str]]:
    marks = {}
    for row in meeting.attendance.all():
        status = request.POST.get(f"status_{row.member_id}")
        if status is not None:
            marks[row.member_id] = (status, request.POST.get(f"reason_{row.member_id}", "")[:200])
    return marks


@login_required
def meeting_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = get_meeting_for_user(user, pk, write=True)
    if not meeting.editable:
        messages.error(request, "会议已提交审核，不能修改。")
        return redirect("meeting_detail", meeting.pk)
    if replay := submit_token_replay(request):
        return replay
    form = _form(request, meeting)
    original = Meeting.objects.get(pk=meeting.pk)
    if request.method == "POST" and form.is_valid():

        def write() -> str:
            saved = services.meeting_update(
                actor=user,
                meeting=original,
                data=form.cleaned_data,
                marks=_marks(request, original),
            )
            services.meeting_files_add(
                actor=user, meeting=saved, upload_ids=request.POST.getlist("upload_ids")
            )
            messages.success(request, "已保存。")
            if request.POST.get("then") == "submit":
                services.meeting_submit(actor=user, meeting=saved)
                messages.success(request, "已提交单位审核。")
            return reverse("meeting_detail", args=[original.pk])

        if response := submit_once(request, form, write):
            return response
    rows = list(
        original.attendance.select_related("member").order_by("-has_vote", "member__number")
    )
    if request.method == "POST":  # show what was sent, not what is stored
        for row in rows:
            row.status = request.POST.get(f"status_{row.member_id}", row.status)
            row.reason = request.POST.get(f"reason_{row.member_id}", row.reason)
    return render(
        request,
        "meetings/form.html",
        {
            "form": form,
            "meeting": original,
            "rows": rows,
            "statuses": AttendanceStatus.choices,
            "files": list(original.files.all()),
        },
    )


def _qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=4, dark="#b3100e")  # type: ignore[no-any-return]


@login_required
def meeting_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = get_meeting_for_user(user, pk)
    recorder = may_record(user, meeting)
    rows = list(meeting.attendance.select_related("member").order_by("-has_vote", "member__number"))
    counts = {s: sum(1 for r in rows if r.status == s) for s in AttendanceStatus.values}
    own = own_member_id(user)
    checkin = None
    if recorder and meeting.editable:
        url = request.build_absolute_uri(
            reverse("meeting_check_in") + "?" + urlencode({"code": meeting.checkin_code})
        )
        checkin = {"url": url, "qr": mark_safe(_qr_svg(url))}  # segno writes the SVG
    return render(
        request,
        "meetings/detail.html",
        {
            "m": meeting,
            "rows": rows,
            "counts": counts,
            "events": meeting.events.select_related("actor"),
            "files": list(meeting.files.all()),
            "may_record": recorder,
            "step": review_step(user, meeting),
            "return_form": ReturnForm(),
            "checkin": checkin,
            **_stories_context(user, meeting),
            "own_row": next((r for r in rows if r.member_id == own), None),
        },
    )


def _stories_context(user: Any, meeting: Meeting) -> dict[str, Any]:
    """A 组织生活会's stories, and the 战疫故事汇 deliverables the user may compile them into."""
    if meeting.kind != MeetingKind.ORG_LIFE:
        return {}
    from campaigns.models import Deliverable, DeliverableKind
    from campaigns.scope import campaigns_for_user

    stories = list(meeting.stories.select_related("member", "submission").prefetch_related("files"))
    deliverables: list[Any] = []
    if any(s.picked and s.submission_id is None for s in stories) and has_perm_anywhere(
        user, Perm.SUBMISSION_EDIT
    ):
        deliverables = list(
            Deliverable.objects.filter(
                kind=DeliverableKind.STORY, campaign__in=campaigns_for_user(user)
            )
            .select_related("campaign")
            .order_by("-campaign__year", "deadline")
        )
    return {"stories": stories, "story_deliverables": deliverables, "is_org_life": True}


def _action(request: AuthedRequest, meeting: Meeting, write: Any, done: str) -> HttpResponse:
    url = reverse("meeting_detail", args=[meeting.pk])

    def run() -> str:
        write()
        messages.success(request, done)
        return url

    response = submit_once(request, None, run, refused_url=url)
    assert response is not None
    return response


@login_required
@require_POST
def meeting_submit(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, write=True)
    return _action(
        request,
        meeting,
        lambda: services.meeting_submit(actor=request.user, meeting=meeting),
        "已提交单位审核。",
    )


def _step_or_403(request: AuthedRequest, pk: int) -> tuple[Meeting, str]:
    """The meeting and the step its state is at, or 403 if the user does not take that step."""
    meeting = get_meeting_for_user(request.user, pk)
    step = "unit" if meeting.state == MeetingState.SUBMITTED else "school"
    if not may_take_step(request.user, meeting, step):
        raise PermissionDenied
    return meeting, step


@login_required
@require_POST
def meeting_approve(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting, step = _step_or_403(request, pk)
    comment = request.POST.get("comment", "")[:500]
    return _action(
        request,
        meeting,
        lambda: services.meeting_approve(
            actor=request.user, meeting=meeting, step=step, comment=comment
        ),
        "审核通过。",
    )


@login_required
@require_POST
def meeting_return(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting, step = _step_or_403(request, pk)
    reason = request.POST.get("reason", "")[:500]
    return _action(
        request,
        meeting,
        lambda: services.meeting_return(
            actor=request.user, meeting=meeting, step=step, reason=reason
        ),
        "已退回支部。",
    )


@login_required
def meeting_check_in(request: AuthedRequest) -> HttpResponse:
    """A member checks in with the code (the QR code leads here with it filled in)."""
    user = request.user
    own = own_member_id(user)
    if own is None:
        raise PermissionDenied
    member = Member.objects.get(pk=own)
    form = CheckInForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_check_in(member=member, code=form.cleaned_data["code"])
        except ValidationError as e:
            form.add_error("code", e)
        else:
            messages.success(request, f"签到成功：{meeting.topic}")
            return redirect("meeting_detail", meeting.pk)
    return render(request, "meetings/check_in.html", {"form": form})


# --- the branch committee ------------------------------------------------------------------


@login_required
def committee(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    org = get_branch_for_committee(user, pk, write=request.method == "POST")
    editable = can(user, Perm.MEETING_RECORD, org)
    if replay := submit_token_replay(request):
        return replay
    members = Member.objects.filter(branch__path__startswith=org.path).order_by("number")
    form = SeatForm(request.POST or None, members=members)
    if request.method == "POST":
        if request.POST.get("end"):
            seat = CommitteeSeat.objects.filter(branch=org, pk=request.POST["end"]).first()
            if seat is None:
                raise PermissionDenied
            url = reverse("committee", args=[org.pk])
            return _seat_end(request, seat, url)
        if form.is_valid():
            data = form.cleaned_data

            def write() -> str:
                services.seat_add(actor=user, branch=org, **data)
                messages.success(request, "已添加支委。")
                return reverse("committee", args=[org.pk])

            if response := submit_once(request, form, write):
                return response
    today = timezone.localdate()
    seats = list(
        CommitteeSeat.objects.filter(branch=org)
        .select_related("member")
        .order_by("title", "-term_start")
    )
    soon = today + dt.timedelta(days=90)
    for s in seats:
        s.current = s.term_start <= today and (s.term_end is None or s.term_end >= today)  # type: ignore[attr-defined]
        s.ending_soon = s.current and s.term_end is not None and s.term_end <= soon  # type: ignore[attr-defined]
    return render(
        request,
        "meetings/committee.html",
        {"org": org, "seats": seats, "form": form, "editable": editable},
    )


def _seat_end(request: AuthedRequest, seat: CommitteeSeat, url: str) -> HttpResponse:
    try:
        on = dt.date.fromisoformat(request.POST.get("on", ""))
    except ValueError:
        messages.error(request, "请填写有效的离任日期。")
        return redirect(url)

    def write() -> str:
        services.seat_end(actor=request.user, seat=seat, on=on)
        messages.success(request, "已记录离任。")
        return url

    response = submit_once(request, None, write, refused_url=url)
    assert response is not None
    return response


@login_required
@require_safe
def meeting_file(request: AuthedRequest, pk: int) -> Any:
    """A meeting's photo or file, inline (or ?download=1); range requests work."""
    file = MeetingFile.objects.filter(pk=pk).first()
    if file is None:
        raise Http404
    get_meeting_for_user(request.user, file.meeting_id)
    return attached_file_response(request, file)


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
def meeting_minutes(request: AuthedRequest, pk: int) -> HttpResponse:
    """The minutes as a .docx 会议记录 (for those who see the meeting)."""
    meeting = get_meeting_for_user(request.user, pk)
    rows = list(meeting.attendance.select_related("member").order_by("-has_vote", "member__number"))
    data = minutes_docx(meeting, rows)
    audit_record(actor=request.user, action="meeting.minutes_export", target=meeting)
    day = timezone.localtime(meeting.when).strftime("%Y%m%d") if meeting.when else ""
    name = download_name("会议记录", meeting.org.name, meeting.get_kind_display(), day, ext="docx")
    return attachment_response(data, name, DOCX)


# --- 组织生活会 stories ---------------------------------------------------------------------


@login_required
def story_form(request: AuthedRequest, pk: int, story_pk: int | None = None) -> HttpResponse:
    """Record or edit a member's story at a 组织生活会 (for those who record the meeting)."""
    user = request.user
    meeting = get_meeting_for_user(user, pk, write=True)
    if meeting.kind != MeetingKind.ORG_LIFE:
        raise Http404
    story = None
    if story_pk is not None:
        story = MeetingStory.objects.filter(pk=story_pk, meeting=meeting).first()
        if story is None:
            raise Http404
    if replay := submit_token_replay(request):
        return replay
    members = Member.objects.filter(attendance__meeting=meeting).order_by("number")
    form = StoryForm(request.POST or None, instance=story, members=members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def write() -> str:
            services.story_save(
                actor=user,
                meeting=meeting,
                story=story,
                upload_ids=request.POST.getlist("upload_ids"),
                **data,
            )
            messages.success(request, "已保存故事。")
            return reverse("meeting_detail", args=[meeting.pk]) + "#stories"

        if response := submit_once(request, form, write):
            return response
    files = list(story.files.all()) if story is not None else []
    return render(request, "meetings/story_form.html", {"form": form, "m": meeting, "files": files})


@login_required
@require_POST
def stories_compile(request: AuthedRequest, pk: int) -> HttpResponse:
    """Make the picked stories a draft 战疫故事汇 submission (for those who hand in)."""
    from campaigns.models import Deliverable, DeliverableKind
    from campaigns.scope import campaigns_for_user

    user = request.user
    meeting = get_meeting_for_user(user, pk)
    raw = request.POST.get("deliverable", "")
    deliverable = (
        Deliverable.objects.filter(
            pk=int(raw) if raw.isdigit() and int(raw) < 2**31 else 0,
            kind=DeliverableKind.STORY,
            campaign__in=campaigns_for_user(user),
        )
        .select_related("campaign__org")
        .first()
    )
    if deliverable is None:
        raise Http404
    org = services.story_submitting_org(meeting=meeting, deliverable=deliverable)
    if not can(user, Perm.SUBMISSION_EDIT, org):
        raise PermissionDenied
    url = reverse("meeting_detail", args=[meeting.pk])

    def write() -> str:
        submission, refused = services.stories_compile(
            actor=user, meeting=meeting, deliverable=deliverable
        )
        messages.success(request, "已汇编为战疫故事汇草稿（含故事的图片和视频），请核对后报送。")
        for name, reason in refused:
            messages.warning(request, f"「{name}」未随故事报送：{reason}")
        return reverse("submission_edit", args=[submission.pk])

    response = submit_once(request, None, write, refused_url=url)
    assert response is not None
    return response


@login_required
@require_safe
def story_file(request: AuthedRequest, pk: int) -> Any:
    """A story's picture or video, inline (or ?download=1); range requests work (video)."""
    file = StoryFile.objects.filter(pk=pk).select_related("story").first()
    if file is None:
        raise Http404
    get_meeting_for_user(request.user, file.story.meeting_id)
    return attached_file_response(request, file)


@login_required
def party_groups(request: AuthedRequest, pk: int) -> HttpResponse:
    """A branch's 党小组 and who is in each; those who record its meetings assign members (the
    roll of a 党小组会 is its group)."""
    user = request.user
    branch = get_branch_for_committee(user, pk, write=request.method == "POST")
    if branch.kind != OrgKind.BRANCH:
        raise Http404
    groups = list(Org.objects.filter(path__startswith=branch.path, kind=OrgKind.GROUP))
    url = reverse("party_groups", args=[branch.pk])
    if request.method == "POST":
        member_id = parse_id(request.POST.get("member"))
        member = Member.objects.filter(branch=branch, pk=member_id or 0).first()
        raw_group = request.POST.get("group", "")
        group = next((g for g in groups if str(g.pk) == raw_group), None)
        if member is None or (raw_group and group is None):
            messages.error(request, "请选择本支部的党员和党小组。")
            return redirect(url)
        person = member

        def write() -> str:
            member_services.member_group_set(actor=user, member=person, group=group)
            messages.success(
                request, f"已将{person.name}编入{group.name if group else '（不编组）'}。"
            )
            return url

        return submit_once(request, None, write, refused_url=url) or redirect(url)
    people = list(
        Member.objects.filter(branch=branch, political_status__in=services.ON_ROLL).order_by(
            "party_group__path", "number"
        )
    )
    return render(
        request,
        "meetings/groups.html",
        {
            "branch": branch,
            "groups": groups,
            "people": people,
            "editable": can(user, Perm.MEETING_RECORD, branch),
        },
    )
