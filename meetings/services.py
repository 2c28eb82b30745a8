"""Every write on meetings: record, mark attendance, submit, approve, return, check in, and
keep the branch committee. Keyword-only, atomic, each writes its audit row; the state changes
also write a MeetingEvent."""

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.services import audit_record, diff_fields
from meetings.models import (
    TRANSITIONS,
    Attendance,
    AttendanceStatus,
    CommitteeSeat,
    ComplianceExemption,
    ComplianceRule,
    Meeting,
    MeetingEvent,
    MeetingFile,
    MeetingKind,
    MeetingMode,
    MeetingState,
    MeetingStory,
    StoryFile,
)
from members.models import Member, PoliticalStatus
from orgs.models import BranchKind, Org, OrgKind
from uploads.services import attach_uploads

# Fields a recorder sets on a meeting (the form's fields, the API's schema).
MEETING_FIELDS = (
    "org",
    "kind",
    "topic",
    "planned_at",
    "held_at",
    "mode",
    "place",
    "platform",
    "link",
    "host",
    "recorder",
    "lecturer",
    "agenda",
    "guests",
    "minutes",
    "decisions",
)
ROLL_FIELDS = ("org", "kind", "held_at", "planned_at")
# Those on a branch's roll at its meetings: members of the Party (积极分子 and 发展对象 may 列席).
ON_ROLL = (PoliticalStatus.FULL, PoliticalStatus.PROBATIONARY)


@dataclass(frozen=True)
class RollEntry:
    member_id: int
    has_vote: bool
    seat_title: str = ""


def branch_of(org: Org) -> Org:
    """The branch whose members meet: the org itself, or a group's parent branch."""
    if org.kind == OrgKind.GROUP:
        return Org.objects.get(path=org.path[: -Org.steplen])
    return org


def _check_org_kind(org: Org, kind: str) -> None:
    if kind == MeetingKind.LEADERSHIP_LIFE:
        if org.kind in (OrgKind.BRANCH, OrgKind.GROUP):
            raise ValidationError("民主生活会由单位党委或党总支领导班子召开，请选择单位。")
        return
    if kind == MeetingKind.GROUP:
        if org.kind != OrgKind.GROUP:
            raise ValidationError("党小组会请选择召开会议的党小组。")
        return
    if org.kind != OrgKind.BRANCH:
        raise ValidationError("请选择召开会议的党支部。")


def expected_roll(*, org: Org, kind: str, on: dt.date) -> list[RollEntry]:
    """Who is expected, as on the day: the committee seated that day for a 支委会 (and the
    leadership group for a 民主生活会); the group's members for a 党小组会; else the
    branch's members."""
    if kind in (MeetingKind.COMMITTEE, MeetingKind.LEADERSHIP_LIFE):
        seats = (
            CommitteeSeat.objects.filter(branch=org, term_start__lte=on)
            .filter(Q(term_end__isnull=True) | Q(term_end__gte=on))
            .order_by("title", "member__number")
        )
        entries: dict[int, RollEntry] = {}
        for seat in seats:
            entries.setdefault(
                seat.member_id,
                RollEntry(seat.member_id, True, seat.get_title_display()),
            )
        return list(entries.values())
    if kind == MeetingKind.GROUP:
        people = Member.objects.filter(party_group=org)
    else:
        people = Member.objects.filter(branch=branch_of(org))
    members = people.filter(political_status__in=ON_ROLL).values_list("id", "political_status")
    return [RollEntry(pk, status == PoliticalStatus.FULL) for pk, status in members]


def _day_of(meeting: Meeting) -> dt.date:
    moment = meeting.held_at or meeting.planned_at
    return timezone.localdate(moment) if moment else timezone.localdate()


def _rebuild_roll(meeting: Meeting) -> None:
    """Make the attendance rows match the expected roll; marks of those still on it are kept."""
    roll = {
        e.member_id: e
        for e in expected_roll(org=meeting.org, kind=meeting.kind, on=_day_of(meeting))
    }
    existing = {a.member_id: a for a in meeting.attendance.select_related("member")}
    # A member who checked themselves in was there: that record is never dropped by an edit.
    came = [a.member.name for a in existing.values() if a.checked_in_at and a.member_id not in roll]
    if came:
        raise ValidationError(
            f"{'、'.join(came)}已自助签到，改为这个组织或会议类型会把他们移出应到名单，未保存。"
        )
    Attendance.objects.filter(meeting=meeting).exclude(member_id__in=roll).delete()
    for member_id, entry in roll.items():
        row = existing.get(member_id)
        if row is None:
            Attendance.objects.create(
                meeting=meeting,
                member_id=member_id,
                has_vote=entry.has_vote,
                seat_title=entry.seat_title,
            )
        elif (row.has_vote, row.seat_title) != (entry.has_vote, entry.seat_title):
            row.has_vote, row.seat_title = entry.has_vote, entry.seat_title
            row.save(update_fields=["has_vote", "seat_title"])


def quorum_counts(*, kind: str, rows: list[tuple[str, str, bool]]) -> tuple[int, int]:
    """(base, present) from (status, reason, has_vote) rows.

    支部党员大会: those with a vote (正式党员), less those on leave with a reason given; a
    支委会 (and a 民主生活会): the whole committee. Other kinds: everyone on the roll (the
    attendance rate, no quorum)."""
    if kind == MeetingKind.GENERAL_ASSEMBLY:
        voting = [r for r in rows if r[2]]
        excused = [r for r in voting if r[0] == AttendanceStatus.LEAVE and r[1].strip()]
        present = [r for r in voting if r[0] == AttendanceStatus.PRESENT]
        return len(voting) - len(excused), len(present)
    return len(rows), sum(1 for r in rows if r[0] == AttendanceStatus.PRESENT)


def _recount(meeting: Meeting) -> None:
    rows = list(meeting.attendance.values_list("status", "reason", "has_vote"))
    meeting.quorum_base, meeting.quorum_present = quorum_counts(kind=meeting.kind, rows=rows)
    meeting.save(update_fields=["quorum_base", "quorum_present", "updated_at"])


def _check_fields(data: dict[str, Any]) -> None:
    _check_org_kind(data["org"], data["kind"])
    if not data.get("held_at") and not data.get("planned_at"):
        raise ValidationError("请填写计划时间或召开时间。")
    if data["mode"] == MeetingMode.ONLINE and not data.get("platform"):
        raise ValidationError("线上会议请填写平台（如腾讯会议、钉钉）。")
    if data["mode"] == MeetingMode.OFFLINE and not data.get("place"):
        raise ValidationError("线下会议请填写地点。")
    if data["kind"] != MeetingKind.LECTURE and data.get("lecturer"):
        data["lecturer"] = None
    branch = branch_of(data["org"])
    for field, label in (("host", "主持人"), ("recorder", "记录人"), ("lecturer", "授课人")):
        person = data.get(field)
        if (
            person is not None
            and field != "lecturer"
            and data["kind"] != MeetingKind.LEADERSHIP_LIFE
            and person.branch_id != branch.pk
        ):
            raise ValidationError(f"{label}须是本支部党员。")


def _event(meeting: Meeting, actor: Any, from_state: str, to_state: str, comment: str = "") -> None:
    MeetingEvent.objects.create(
        meeting=meeting,
        actor=actor if actor is not None and actor.is_authenticated else None,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
    )


@transaction.atomic
def meeting_create(*, actor: Any, data: dict[str, Any]) -> Meeting:
    """A new draft meeting with its expected roll (everyone 缺席 until marked)."""
    data = {k: data.get(k) for k in MEETING_FIELDS}
    for key in ("place", "platform", "link", "agenda", "guests", "minutes", "decisions", "topic"):
        data[key] = (data[key] or "").strip()
    _check_fields(data)
    meeting = Meeting.objects.create(
        **data, created_by=actor, checkin_code=f"{secrets.randbelow(10**6):06d}"
    )
    _rebuild_roll(meeting)
    _recount(meeting)
    _event(meeting, actor, "", MeetingState.DRAFT)
    audit_record(actor=actor, action="meeting.create", target=meeting)
    return meeting


@transaction.atomic
def meeting_update(
    *,
    actor: Any,
    meeting: Meeting,
    data: dict[str, Any],
    marks: dict[int, tuple[str, str]] | None = None,
) -> Meeting:
    """Change a draft or returned meeting and mark attendance, all or nothing.

    `marks` maps a member id on the roll to (status, reason); 请假 needs a reason."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not meeting.editable:
        raise ValidationError("会议已提交审核，不能修改；如需修改请待退回。")
    data = {k: data.get(k, getattr(meeting, k)) for k in MEETING_FIELDS}
    for key in ("place", "platform", "link", "agenda", "guests", "minutes", "decisions", "topic"):
        data[key] = (data[key] or "").strip()
    _check_fields(data)
    before = {k: getattr(meeting, k) for k in MEETING_FIELDS}
    for key, value in data.items():
        setattr(meeting, key, value)
    meeting.save()
    if any(before[k] != data[k] for k in ROLL_FIELDS):
        _rebuild_roll(meeting)
    if marks:
        _mark(meeting, marks)
    _recount(meeting)
    changes = diff_fields(before, data)
    if marks:
        changes["attendance"] = ["", f"{len(marks)} 人"]
    audit_record(actor=actor, action="meeting.update", target=meeting, changes=changes)
    return meeting


def _mark(meeting: Meeting, marks: dict[int, tuple[str, str]]) -> None:
    rows = {a.member_id: a for a in meeting.attendance.select_related("member")}
    errors = []
    for member_id, (status, reason) in marks.items():
        row = rows.get(member_id)
        if row is None:
            continue  # no longer on the roll after a change of org, kind or day
        if status not in AttendanceStatus.values:
            errors.append(f"{row.member.name}：出席情况无效。")
            continue
        reason = reason.strip()
        if status == AttendanceStatus.LEAVE and not reason:
            errors.append(f"{row.member.name}：请假须填写原因。")
            continue
        if status == AttendanceStatus.PRESENT:
            reason = ""
        if (row.status, row.reason) != (status, reason):
            row.status, row.reason = status, reason
            row.save(update_fields=["status", "reason"])
    if errors:
        raise ValidationError(errors)


def _move(*, actor: Any, meeting: Meeting, to: str, comment: str = "") -> Meeting:
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if (locked.state, to) not in TRANSITIONS:
        raise ValidationError(f"会议当前为「{locked.get_state_display()}」，不能进行此操作。")
    from_state = locked.state
    locked.state = to
    locked.save(update_fields=["state", "updated_at"])
    _event(locked, actor, from_state, to, comment)
    audit_record(
        actor=actor,
        action=f"meeting.{to}",
        target=locked,
        changes={"state": [from_state, to], **({"comment": comment} if comment else {})},
    )
    return locked


@transaction.atomic
def meeting_submit(*, actor: Any, meeting: Meeting) -> Meeting:
    """Send a held meeting up for checking: it needs a time held in the past and minutes."""
    if meeting.held_at is None:
        raise ValidationError("请先填写会议的召开时间。")
    if meeting.held_at > timezone.now():
        raise ValidationError("会议尚未召开，不能提交审核。")
    if not meeting.minutes.strip():
        raise ValidationError("请先填写会议记录。")
    if meeting.kind == MeetingKind.LECTURE and meeting.lecturer_id is None:
        raise ValidationError("党课须填写授课人。")
    if not meeting.attendance.exists():
        raise ValidationError(
            "应到人员为空：支委会请先维护支部委员会成员，党小组会请先为党小组编入党员。"
        )
    return _move(actor=actor, meeting=meeting, to=MeetingState.SUBMITTED)


@transaction.atomic
def meeting_approve(*, actor: Any, meeting: Meeting, step: str, comment: str = "") -> Meeting:
    """Approve at the unit step (submitted → unit_approved) or 组织部's (→ approved)."""
    to = MeetingState.UNIT_APPROVED if step == "unit" else MeetingState.APPROVED
    expected = MeetingState.SUBMITTED if step == "unit" else MeetingState.UNIT_APPROVED
    if meeting.state != expected:
        raise ValidationError(f"会议当前为「{meeting.get_state_display()}」，不能审核。")
    return _move(actor=actor, meeting=meeting, to=to, comment=comment.strip())


@transaction.atomic
def meeting_return(*, actor: Any, meeting: Meeting, step: str, reason: str) -> Meeting:
    """Return the meeting to its branch with a reason, at either step."""
    if not reason.strip():
        raise ValidationError("退回须填写原因。")
    expected = MeetingState.SUBMITTED if step == "unit" else MeetingState.UNIT_APPROVED
    if meeting.state != expected:
        raise ValidationError(f"会议当前为「{meeting.get_state_display()}」，不能退回。")
    return _move(actor=actor, meeting=meeting, to=MeetingState.RETURNED, comment=reason.strip())


CHECK_IN_BEFORE = dt.timedelta(hours=1)
CHECK_IN_AFTER = dt.timedelta(hours=4)


@transaction.atomic
def meeting_check_in(*, member: Member, code: str, meeting: Meeting | None = None) -> Meeting:
    """A member marks themself present with the meeting's code (shown by the host as a QR
    code offline, or read out online), from an hour before it starts to four hours after."""
    code = code.strip()
    rows = Attendance.objects.select_for_update().filter(
        member=member, meeting__checkin_code=code, meeting__state__in=[MeetingState.DRAFT]
    )
    if meeting is not None:
        rows = rows.filter(meeting=meeting)
    now = timezone.now()
    for row in rows.select_related("meeting"):
        start = row.meeting.held_at or row.meeting.planned_at
        if start is None or not (start - CHECK_IN_BEFORE <= now <= start + CHECK_IN_AFTER):
            continue
        if row.status != AttendanceStatus.PRESENT:
            row.status, row.reason, row.checked_in_at = AttendanceStatus.PRESENT, "", now
            row.save(update_fields=["status", "reason", "checked_in_at"])
            _recount(row.meeting)
            audit_record(
                actor=member.user, action="meeting.check_in", target=row.meeting, label=member.name
            )
        return row.meeting
    raise ValidationError("签到码无效，或不在签到时间内（会前 1 小时至会后 4 小时）。")


# --- the branch committee ------------------------------------------------------------------


@transaction.atomic
def seat_add(
    *,
    actor: Any,
    branch: Org,
    member: Member,
    title: str,
    term_start: dt.date,
    term_end: dt.date | None,
) -> CommitteeSeat:
    if branch.kind in (OrgKind.BRANCH,) and member.branch_id != branch.pk:
        raise ValidationError("支委须是本支部党员。")
    if term_end is not None and term_end < term_start:
        raise ValidationError("任期届满日期不能早于任期开始日期。")
    seat = CommitteeSeat.objects.create(
        branch=branch, member=member, title=title, term_start=term_start, term_end=term_end
    )
    audit_record(actor=actor, action="committee_seat.add", target=seat, label=f"{branch} {seat}")
    return seat


@transaction.atomic
def seat_end(*, actor: Any, seat: CommitteeSeat, on: dt.date) -> CommitteeSeat:
    """End a seat's term on a day (the row is kept: past meetings' rolls rest on it)."""
    if on < seat.term_start:
        raise ValidationError("离任日期不能早于任期开始日期。")
    before = seat.term_end
    seat.term_end = on
    seat.save(update_fields=["term_end"])
    audit_record(
        actor=actor,
        action="committee_seat.end",
        target=seat,
        changes={"term_end": [str(before or ""), str(on)]},
    )
    return seat


# --- compliance rules and exemptions ---------------------------------------------------------


@transaction.atomic
def rule_create(
    *,
    actor: Any,
    kind: str,
    frequency: str,
    min_count: int,
    org: Org | None,
    starts_on: dt.date,
    branch_kind: str = "",
) -> ComplianceRule:
    if min_count < 1:
        raise ValidationError("每期至少次数须大于 0。")
    if branch_kind and branch_kind not in BranchKind.values:
        raise ValidationError("请选择支部类别：教工、学生或离退休支部。")
    rule = ComplianceRule.objects.create(
        kind=kind,
        frequency=frequency,
        min_count=min_count,
        org=org,
        starts_on=starts_on,
        branch_kind=branch_kind,
    )
    audit_record(actor=actor, action="compliance_rule.create", target=rule)
    return rule


@transaction.atomic
def rule_deactivate(*, actor: Any, rule: ComplianceRule) -> ComplianceRule:
    rule.active = False
    rule.save(update_fields=["active"])
    audit_record(actor=actor, action="compliance_rule.deactivate", target=rule)
    return rule


@transaction.atomic
def exemption_create(
    *, actor: Any, branch: Org, kind: str, period: str, reason: str
) -> ComplianceExemption:
    if branch.kind != OrgKind.BRANCH:
        raise ValidationError("豁免只能针对党支部。")
    if not reason.strip():
        raise ValidationError("请填写豁免原因。")
    if ComplianceExemption.objects.filter(branch=branch, kind=kind, period=period).exists():
        raise ValidationError("该支部此期间已有该类会议的豁免。")
    exemption = ComplianceExemption.objects.create(
        branch=branch, kind=kind, period=period, reason=reason.strip(), created_by=actor
    )
    audit_record(
        actor=actor,
        action="compliance_exemption.create",
        target=exemption,
        label=f"{branch.name} {period} {MeetingKind(kind).label}",
        changes={"reason": reason.strip()},
    )
    return exemption


# --- photos and files ----------------------------------------------------------------------

MAX_FILES = 30


@transaction.atomic
def meeting_files_add(*, actor: Any, meeting: Meeting, upload_ids: list[str]) -> list[MeetingFile]:
    """Attach finished uploads (the uploader's ids) to a draft or returned meeting."""
    if not any(upload_ids):
        return []
    if not meeting.editable:
        raise ValidationError("会议已提交审核，不能再添加附件。")
    added = attach_uploads(
        user=actor,
        upload_ids=upload_ids,
        model=MeetingFile,
        folder="meetings",
        limit=MAX_FILES,
        existing=meeting.files.count(),
        too_many=f"每次会议最多 {MAX_FILES} 个附件。",
        meeting=meeting,
    )
    audit_record(
        actor=actor,
        action="meeting.files_add",
        target=meeting,
        changes={"files": [f.original_name for f in added]},
    )
    return added


# --- 组织生活会 stories into a 战疫故事汇 ---------------------------------------------------


@transaction.atomic
def story_save(
    *,
    actor: Any,
    meeting: Meeting,
    member: Member,
    title: str,
    text: str,
    picked: bool,
    story: MeetingStory | None = None,
    upload_ids: list[str] | None = None,
) -> MeetingStory:
    """Record (or edit) a member's story told at a 组织生活会; the member must be on its roll."""
    if meeting.kind != MeetingKind.ORG_LIFE:
        raise ValidationError("只有组织生活会记录党员的故事。")
    if not meeting.attendance.filter(member=member).exists():
        raise ValidationError("讲述人须是本次会议应到人员。")
    if not title.strip() or not text.strip():
        raise ValidationError("请填写标题和故事内容。")
    if story is not None and story.submission_id is not None:
        raise ValidationError("该故事已汇编报送，不能再修改。")
    if story is None:
        story = MeetingStory(meeting=meeting, created_by=actor)
    story.member, story.title, story.text, story.picked = member, title.strip(), text, picked
    story.save()
    audit_record(actor=actor, action="meeting.story_save", target=meeting, label=story.title)
    if upload_ids:
        story_files_add(actor=actor, story=story, upload_ids=upload_ids)
    return story


STORY_MEDIA = ("image/", "video/")
MAX_STORY_FILES = 9


@transaction.atomic
def story_files_add(*, actor: Any, story: MeetingStory, upload_ids: list[str]) -> list[StoryFile]:
    """Attach finished uploads (pictures and video) to a story not yet handed in."""
    if not any(upload_ids):
        return []
    if story.submission_id is not None:
        raise ValidationError("该故事已汇编报送，不能再添加图片或视频。")
    added = attach_uploads(
        user=actor,
        upload_ids=upload_ids,
        model=StoryFile,
        folder="meetings/stories",
        limit=MAX_STORY_FILES,
        existing=story.files.count(),
        too_many=f"每个故事最多 {MAX_STORY_FILES} 个图片或视频。",
        media=STORY_MEDIA,
        not_media="「{name}」不是图片或视频。",
        story=story,
    )
    audit_record(
        actor=actor,
        action="meeting.story_files_add",
        target=story.meeting,
        changes={"story": story.title, "files": [f.original_name for f in added]},
    )
    return added


def story_submitting_org(*, meeting: Meeting, deliverable: Any) -> Org:
    """Who hands the 故事汇 in: the branch, or its unit when the deliverable asks units."""
    from campaigns.models import SubmittingLevel

    branch = branch_of(meeting.org)
    if deliverable.submitting_level == SubmittingLevel.UNIT:
        return Org.objects.get(path=branch.unit_path())
    return branch


@transaction.atomic
def stories_compile(
    *, actor: Any, meeting: Meeting, deliverable: Any
) -> tuple[Any, list[tuple[str, str]]]:
    """Make the picked stories of a 组织生活会 into a draft 战疫故事汇 submission (through
    the campaigns service), from the branch or its unit as the deliverable asks; it is then
    handed in, within the quota, on the submission's own page. Returns the submission and the
    stories' files the campaigns service refused (name, reason)."""
    from campaigns import services as campaign_services
    from campaigns.models import DeliverableKind

    if deliverable.kind != DeliverableKind.STORY:
        raise ValidationError("请选择「战疫故事汇」任务项。")
    stories = list(
        meeting.stories.filter(picked=True, submission__isnull=True)
        .select_related("member")
        .order_by("id")
    )
    if not stories:
        raise ValidationError("请先选入至少一个尚未报送的故事。")
    branch = branch_of(meeting.org)
    org = story_submitting_org(meeting=meeting, deliverable=deliverable)
    text = "\n\n".join(f"【{s.title}】（{s.member.name}）\n{s.text.strip()}" for s in stories)
    authors = [campaign_services.AuthorIn(member=s.member) for s in stories]
    submission = campaign_services.submission_create(
        actor=actor,
        deliverable=deliverable,
        org=org,
        title=f"{branch.name}战疫故事汇",
        summary=text,
        authors=list({a.member.pk: a for a in authors if a.member}.values()),
    )
    MeetingStory.objects.filter(pk__in=[s.pk for s in stories]).update(submission=submission)
    # the stories' pictures and video go in with them, checked by the campaigns service like
    # any file handed in; one it refuses is reported, the rest are kept
    files = StoryFile.objects.filter(story__in=stories).order_by("story_id", "id")
    incoming = [
        campaign_services.incoming_from_path(Path(f.file.path), f.original_name) for f in files
    ]
    refused: list[tuple[str, str]] = []
    if incoming:
        result = campaign_services.submission_attach(
            actor=actor, submission=submission, incoming=incoming
        )
        refused = result.refused
    audit_record(
        actor=actor,
        action="meeting.stories_compile",
        target=meeting,
        changes={"submission": submission.pk, "stories": len(stories)},
    )
    return submission, refused
