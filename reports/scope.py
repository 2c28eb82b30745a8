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

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connections
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from access.scope import Perm, _path_q, can, own_member_id, paths_with
from members.models import Member
from orgs.models import Org
from reports.models import Report, ReportForm, ReportFormVersion, ReportSchedule


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


# --- the morning rush: a submit's look-ups in one statement ---------------------------------


@dataclass(frozen=True)
class FillTarget:
    """What a report page needs before it may write: the user's member (with branch), the
    active schedule (with form and org) and, when a version was posted, that version of the
    schedule's form. Each is None when missing (no member, no such active schedule, or a
    version that is not the form's)."""

    member: Member | None
    schedule: ReportSchedule | None
    version: ReportFormVersion | None


# The tables and their aliases, in the order the statement selects their columns.
_FILL_TABLES: list[tuple[type[Model], str]] = [
    (Member, "m"),
    (Org, "b"),
    (ReportSchedule, "s"),
    (ReportForm, "f"),
    (Org, "o"),
    (ReportFormVersion, "v"),
]
_fill_sql: dict[str, tuple[str, list[tuple[list[Any], Any]]]] = {}


def _fill_statement(connection: Any) -> tuple[str, list[tuple[list[Any], Any]]]:
    """The look-up statement for this database and each column's converters (the ORM's own,
    as its compiler would apply them), built once per process: compiling the equivalent
    querysets cost more CPU than the rest of the submit."""
    if cached := _fill_sql.get(connection.vendor):
        return cached
    q = connection.ops.quote_name
    columns, converters = [], []
    for model, alias in _FILL_TABLES:
        for f in model._meta.concrete_fields:
            columns.append(f"{alias}.{q(f.column)}")
            col = f.get_col(alias)
            fns = [*connection.ops.get_db_converters(col), *f.get_db_converters(connection)]
            converters.append((fns, col))
    t = {model: q(model._meta.db_table) for model, _ in _FILL_TABLES}
    sql = (
        f"SELECT {', '.join(columns)} FROM (SELECT 1 AS one) AS one"
        f" LEFT JOIN {t[Member]} m ON m.{q('user_id')} = %s"
        f" LEFT JOIN {t[Org]} b ON b.{q('id')} = m.{q('branch_id')}"
        f" LEFT JOIN {t[ReportSchedule]} s ON s.{q('id')} = %s AND s.{q('active')}"
        f" LEFT JOIN {t[ReportForm]} f ON f.{q('id')} = s.{q('form_id')}"
        f" LEFT JOIN {t[Org]} o ON o.{q('id')} = s.{q('org_id')}"
        f" LEFT JOIN {t[ReportFormVersion]} v"
        f" ON v.{q('id')} = %s AND v.{q('form_id')} = s.{q('form_id')}"
    )
    _fill_sql[connection.vendor] = (sql, converters)
    return sql, converters


def get_fill_for_user(user: Any, schedule_pk: int, version_pk: int | None) -> FillTarget:
    """The user's own member, the active schedule `schedule_pk` and the posted version, in
    one statement (the report page's POST runs it on every submit). Scope stays the view's:
    the member is the user's own; whether the schedule covers them is `selectors.covers`."""
    if not user.is_authenticated:
        return FillTarget(None, None, None)
    connection = connections[Member.objects.db]
    sql, converters = _fill_statement(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, schedule_pk, version_pk])
        row = list(cursor.fetchone())
    for i, (fns, col) in enumerate(converters):
        for fn in fns:
            row[i] = fn(row[i], col, connection)
    made: list[Any] = []
    start = 0
    for model, _ in _FILL_TABLES:
        fields = model._meta.concrete_fields
        values = row[start : start + len(fields)]
        start += len(fields)
        pk = values[[f.primary_key for f in fields].index(True)]
        names = [f.attname for f in fields]
        made.append(None if pk is None else model.from_db(connection.alias, names, values))
    member, branch, schedule, form, org, version = made
    if member is not None:
        member.branch = branch
    if schedule is not None:
        schedule.form, schedule.org = form, org
        if version is not None:
            version.form = form
    user._own_member_id = member.pk if member is not None else None
    return FillTarget(member, schedule, version)
