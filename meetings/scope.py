"""Scope of meetings: every page, export and API endpoint fetches them through here.

- Holders of MEETING_VIEW over a meeting's org see it (组织部 the school, a unit admin their
  subtree, a branch secretary their branch and its groups).
- A member sees the meetings they attended (their attendance row is 出席).
- MEETING_RECORD over the org records and edits it (while a draft or returned), submits it,
  and keeps the branch's committee.
- MEETING_APPROVE_UNIT over the org, from a grant below the school (a unit's), approves or
  returns it at the unit step; MEETING_APPROVE_SCHOOL over the org (组织部) at the second.
  (组织部 holds the unit perms too, as a grant covers the roles below it, but does not take
  the unit's step.)
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from access.scope import Perm, can, own_member_id, paths_with
from meetings.models import Attendance, AttendanceStatus, Meeting, MeetingState
from orgs.models import Org


def _path_q(roots: list[str], field: str) -> Q:
    q = Q(pk__in=[])
    for root in roots:
        q |= Q(**{f"{field}__startswith": root})
    return q


def meetings_for_user(user: Any, perm: str = Perm.MEETING_VIEW) -> QuerySet[Meeting]:
    """Meetings the user may act on with `perm`; for MEETING_VIEW also those they attended."""
    q = _path_q(paths_with(user, perm), "org__path")
    own = own_member_id(user)
    if own is not None and perm == Perm.MEETING_VIEW:
        attended = Attendance.objects.filter(
            meeting=OuterRef("pk"), member_id=own, status=AttendanceStatus.PRESENT
        )
        q |= Q(Exists(attended))
    return Meeting.objects.filter(q)


def get_meeting_for_user(user: Any, pk: Any, *, write: bool = False) -> Meeting:
    """The meeting, or 404 if the user may not see it, or 403 if they see it but may not
    record it (write)."""
    meeting = (
        Meeting.objects.filter(pk=pk)
        .select_related("org", "host", "recorder", "lecturer", "created_by")
        .first()
    )
    if meeting is None:
        raise Http404
    if not _sees(user, meeting):
        raise Http404
    if write and not can(user, Perm.MEETING_RECORD, meeting.org):
        raise PermissionDenied
    return meeting


def _sees(user: Any, meeting: Meeting) -> bool:
    if can(user, Perm.MEETING_VIEW, meeting.org):
        return True
    own = own_member_id(user)
    if own is None:
        return False
    return meeting.attendance.filter(member_id=own, status=AttendanceStatus.PRESENT).exists()


def may_record(user: Any, meeting: Meeting) -> bool:
    return can(user, Perm.MEETING_RECORD, meeting.org)


def _below_school(roots: list[str]) -> list[str]:
    return [root for root in roots if len(root) > Org.steplen]


def unit_step_roots(user: Any) -> list[str]:
    """Where the user takes the unit step: MEETING_APPROVE_UNIT from grants below the school."""
    return _below_school(paths_with(user, Perm.MEETING_APPROVE_UNIT))


def may_take_step(user: Any, meeting: Meeting, step: str) -> bool:
    if step == "unit":
        return any(meeting.org.path.startswith(root) for root in unit_step_roots(user))
    return can(user, Perm.MEETING_APPROVE_SCHOOL, meeting.org)


def review_step(user: Any, meeting: Meeting) -> str | None:
    """The approval step the user may take on the meeting now: "unit", "school" or None."""
    if meeting.state == MeetingState.SUBMITTED and may_take_step(user, meeting, "unit"):
        return "unit"
    if meeting.state == MeetingState.UNIT_APPROVED and may_take_step(user, meeting, "school"):
        return "school"
    return None


def meetings_to_review(user: Any) -> QuerySet[Meeting]:
    """Meetings waiting for the user's step: submitted ones in the subtrees where they approve
    for the unit, and unit-approved ones where they approve for 组织部."""
    unit = _path_q(unit_step_roots(user), "org__path")
    school = _path_q(paths_with(user, Perm.MEETING_APPROVE_SCHOOL), "org__path")
    return Meeting.objects.filter(
        (unit & Q(state=MeetingState.SUBMITTED)) | (school & Q(state=MeetingState.UNIT_APPROVED))
    )


def recording_orgs_for_user(user: Any) -> QuerySet[Org]:
    """Orgs the user may record meetings for: branches, their groups, and units (民主生活会)."""
    return Org.objects.filter(_path_q(paths_with(user, Perm.MEETING_RECORD), "path")).exclude(
        depth=1
    )


def get_branch_for_committee(user: Any, pk: Any, *, write: bool = False) -> Org:
    """A branch (or unit) whose committee the user may see; write needs MEETING_RECORD."""
    org = Org.objects.filter(pk=pk).first()
    if org is None or not can(user, Perm.MEETING_VIEW, org):
        raise Http404
    if write and not can(user, Perm.MEETING_RECORD, org):
        raise PermissionDenied
    return org


def todo_counts(user: Any) -> dict[str, int]:
    """For the home page, in one query (none without a meeting role): meetings waiting for the
    user's unit step and 组织部 step, and returned meetings they record."""
    unit_roots = unit_step_roots(user)
    school_roots = paths_with(user, Perm.MEETING_APPROVE_SCHOOL)
    record_roots = _below_school(paths_with(user, Perm.MEETING_RECORD))  # a branch's, a unit's
    if not (unit_roots or school_roots or record_roots):
        return {}
    unit = _path_q(unit_roots, "org__path") & Q(state=MeetingState.SUBMITTED)
    school = _path_q(school_roots, "org__path") & Q(state=MeetingState.UNIT_APPROVED)
    returned = _path_q(record_roots, "org__path") & Q(state=MeetingState.RETURNED)
    return Meeting.objects.filter(unit | school | returned).aggregate(
        unit=Count("id", filter=unit),
        school=Count("id", filter=school),
        returned=Count("id", filter=returned),
    )


def meetings_within(
    qs: QuerySet[Meeting],
    *,
    org_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Meeting]:
    """`qs` narrowed to an org's subtree and the days held (the list's and the dashboard's
    filter: one function, so both count the same meetings)."""
    if org_id:
        path = Org.objects.filter(pk=org_id).values_list("path", flat=True).first()
        qs = qs.filter(org__path__startswith=path) if path else qs.none()
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(held_at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=tz))
    if date_to:
        end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        qs = qs.filter(held_at__lt=end)
    return qs
