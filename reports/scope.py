"""Scope of 报备: every page, export and API endpoint fetches forms, schedules and reports here.

- Forms and schedules are managed by holders of REPORT_FORM_MANAGE (组织部 for the school, a
  unit admin for their unit) over the form's owner / the schedule's org. A form defined above
  (组织部's ready-made forms) may be scheduled by a unit for its own subtree.
- A report is read by its member and by holders of REPORT_VIEW over the branch it was made in
  (its secretary, the unit, 组织部). Nobody edits a report: a report is a record.
- Who is overdue is counted over the user's REPORT_VIEW subtrees only.
- A member reports on the schedules that cover them (their branch inside the schedule's org,
  their category and whereabouts among the schedule's, when it lists any).
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from access.scope import Perm, _path_q, can, own_member_id, paths_with
from members.models import Member
from orgs.models import Org
from reports.models import Report, ReportForm, ReportSchedule


def _ancestors(roots: list[str]) -> list[str]:
    """Every path above (and at) the roots: the orgs whose plans reach into the roots."""
    step = Org.steplen
    return sorted({root[:i] for root in roots for i in range(step, len(root) + 1, step)})


def forms_for_user(user: Any) -> QuerySet[ReportForm]:
    """Forms the user may use: their own subtree's, and those defined above it."""
    if not user.is_authenticated:
        return ReportForm.objects.none()
    roots = paths_with(user, Perm.REPORT_FORM_MANAGE)
    q = _path_q(roots, "owner__path") | Q(owner__path__in=_ancestors(roots))
    return ReportForm.objects.filter(q)


def get_form_for_user(user: Any, pk: Any, *, write: bool = False) -> ReportForm:
    """The form, or 404 out of scope; with `write` (a new version), 403 unless the user
    manages forms over its owner."""
    form = forms_for_user(user).filter(pk=pk).select_related("owner").first()
    if form is None:
        raise Http404
    if write and not can(user, Perm.REPORT_FORM_MANAGE, form.owner):
        raise PermissionDenied
    return form


def schedules_for_user(user: Any) -> QuerySet[ReportSchedule]:
    """Schedules reaching into the user's REPORT_VIEW subtrees (school-wide ones included)."""
    if not user.is_authenticated:
        return ReportSchedule.objects.none()
    roots = paths_with(user, Perm.REPORT_VIEW)
    q = _path_q(roots, "org__path") | Q(org__path__in=_ancestors(roots))
    return ReportSchedule.objects.filter(q)


def get_schedule_for_user(user: Any, pk: Any, *, write: bool = False) -> ReportSchedule:
    schedule = schedules_for_user(user).filter(pk=pk).select_related("form", "org").first()
    if schedule is None:
        raise Http404
    if write and not can(user, Perm.REPORT_FORM_MANAGE, schedule.org):
        raise PermissionDenied
    return schedule


def schedule_orgs(user: Any) -> QuerySet[Org]:
    """Orgs a schedule may be set for: the user's REPORT_FORM_MANAGE subtrees."""
    roots = paths_with(user, Perm.REPORT_FORM_MANAGE)
    return Org.objects.filter(_path_q(roots, "path"))


def reports_for_user(user: Any) -> QuerySet[Report]:
    if not user.is_authenticated:
        return Report.objects.none()
    q = _path_q(paths_with(user, Perm.REPORT_VIEW), "branch__path")
    own = own_member_id(user)
    if own is not None:
        q |= Q(member_id=own)
    return Report.objects.filter(q)


def get_report_for_user(user: Any, pk: Any) -> Report:
    report = (
        reports_for_user(user)
        .filter(pk=pk)
        .select_related("member", "branch", "form", "version", "schedule")
        .first()
    )
    if report is None:
        raise Http404
    return report


def view_roots(user: Any, org: Org | None = None) -> list[str]:
    """The subtrees whose members' reports the user reads, narrowed to `org` if given."""
    roots = paths_with(user, Perm.REPORT_VIEW)
    if org is None:
        return roots
    if any(org.path.startswith(r) for r in roots):
        return [org.path]
    return [r for r in roots if r.startswith(org.path)]


def own_member(user: Any) -> Member | None:
    """The user's own member record with its branch (one query; primes own_member_id)."""
    if not user.is_authenticated:
        return None
    # At most one (user is one-to-one): no ORDER BY to compile on every page submit.
    member = next(iter(Member.objects.filter(user=user).select_related("branch").order_by()), None)
    user._own_member_id = member.pk if member is not None else None
    return member


def get_member_reports_for_user(user: Any, pk: Any) -> Member:
    """A member whose report history the user may read: their own, or REPORT_VIEW over
    their branch; 404 for anyone else."""
    member = Member.objects.filter(pk=pk).select_related("branch").first()
    if member is None or not user.is_authenticated:
        raise Http404
    if member.pk == own_member_id(user) or can(user, Perm.REPORT_VIEW, member.branch):
        return member
    raise Http404
