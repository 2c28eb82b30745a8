"""报备 endpoints: a member submits a report; who is overdue — over the same scope, selectors
and services as the pages."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from access.scope import Perm, get_org_for_user, require_anywhere
from api.schemas import ErrorOut, ValidationErrorOut
from lib.params import MAX_ID
from reports import selectors, services
from reports.models import Report, ReportSchedule
from reports.schema import NO, YES, AnswerForm
from reports.scope import get_report_for_user, get_schedule_for_user, own_member

router = Router(tags=["报备"])


class ReportIn(Schema):
    period: dt.date | None = Field(None, description="报备周期内的任一天；不填为今天")
    answers: dict[str, Any] = Field(
        description="按表单字段 name 填写：数字和体温为数字，日期为 YYYY-MM-DD，是/否为 "
        'true/false，多选为列表，所在地为 {"province": "…", "city": "…"}；接口不接受文件字段'
    )


class ReportOut(Schema):
    id: int
    form: str
    version: int
    period: dt.date
    submitted_at: dt.datetime
    late: bool = Field(description="迟报")
    temperature: float | None
    answers: dict[str, Any]


def _report(r: Report) -> dict[str, Any]:
    return {
        "id": r.pk,
        "form": r.form.name,
        "version": r.version.number,
        "period": r.period,
        "submitted_at": r.submitted_at,
        "late": r.late,
        "temperature": float(r.temperature) if r.temperature is not None else None,
        "answers": r.answers,
    }


def _form_data(fields: list[dict[str, Any]], answers: dict[str, Any]) -> dict[str, Any]:
    """JSON answers as the data the page's form takes."""
    known = {f["name"]: f for f in fields}
    unknown = sorted(set(answers) - set(known))
    if unknown:
        raise HttpError(400, f"表单中没有这些字段：{'、'.join(unknown)}。")
    data: dict[str, Any] = {}
    for name, value in answers.items():
        kind = known[name]["kind"]
        if value is None:
            continue
        if kind == "file":
            raise HttpError(400, f"「{known[name]['label']}」是文件，请在网页上填写。")
        if kind == "yesno" and isinstance(value, bool):
            data[name] = YES if value else NO
        elif kind == "location" and isinstance(value, dict):
            data[f"{name}_0"] = str(value.get("province", ""))
            data[f"{name}_1"] = str(value.get("city", ""))
        elif kind == "multi":
            data[name] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        else:
            data[name] = str(value)
    return data


@router.post(
    "/schedules/{int:schedule_id}/submit",
    response={
        201: ReportOut,
        200: ReportOut,
        400: ValidationErrorOut | ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
    },
    summary="提交报备",
    description="党员本人提交本期报备。同一党员、表单和周期只记录一次："
    "重复提交返回 200 和第一次的报备。",
)
def report_submit(request: HttpRequest, schedule_id: int, payload: ReportIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    member = own_member(user)
    if member is None:
        raise PermissionDenied
    schedule = (
        ReportSchedule.objects.filter(pk=schedule_id, active=True)
        .select_related("form", "org")
        .first()
    )
    if schedule is None or not selectors.covers(schedule, member):
        raise Http404
    today = timezone.localdate()
    period = schedule.period_of(min(payload.period or today, today))
    version = schedule.form.current_version()
    form = AnswerForm(_form_data(version.fields, payload.answers), fields=version.fields)
    if not form.is_valid():
        errors = [
            {"field": name, "message": str(message)}
            for name, messages in form.errors.items()
            for message in messages
        ]
        return Status(400, {"detail": "报备内容有误。", "errors": errors})
    try:
        report, created = services.report_submit(
            actor=user,
            member=member,
            schedule=schedule,
            period=period,
            answers=form.answers(),
            version=version,
        )
    except DjangoValidationError as e:
        raise HttpError(400, "；".join(e.messages)) from e
    report = get_report_for_user(user, report.pk)
    return Status(201 if created else 200, _report(report))


class OverdueQuery(Schema):
    schedule: int = Field(ge=1, le=MAX_ID, description="报备安排")
    day: dt.date | None = Field(None, description="日期，不填为今天")
    org: int | None = Field(None, ge=1, le=MAX_ID, description="只看该党组织")


class CountsOut(Schema):
    id: int
    name: str
    expected: int = Field(description="应报")
    reported: int = Field(description="已报")
    late: int = Field(description="迟报")
    missing: int = Field(description="未报")
    rate: float = Field(description="报备率（%）")


class MissingOut(Schema):
    id: int
    number: str
    name: str
    branch: str


class OverdueOut(Schema):
    form: str
    period: dt.date
    due_at: dt.datetime
    past_due: bool
    expected: int
    reported: int
    late: int
    missing: int
    units: list[CountsOut]
    branches: list[CountsOut]
    members: list[MissingOut] = Field(description="未报党员（至多 500 人）")


def _counts(row: selectors.Row) -> dict[str, Any]:
    c = row.counts
    return {
        "id": row.org_id,
        "name": row.name,
        "expected": c.expected,
        "reported": c.reported,
        "late": c.late,
        "missing": c.missing,
        "rate": c.rate,
    }


@router.get(
    "/overdue",
    response={
        200: OverdueOut,
        400: ValidationErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
    },
    summary="未报名单",
    description="您有查看权限的党组织内，某报备安排某天（所在周期）的应报、已报、迟报和未报人数，及未报党员。",
)
def report_overdue(request: HttpRequest, query: Query[OverdueQuery]) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    require_anywhere(user, Perm.REPORT_VIEW)
    schedule = get_schedule_for_user(user, query.schedule)
    org = get_org_for_user(user, query.org, Perm.REPORT_VIEW) if query.org else None
    today = timezone.localdate()
    period = schedule.period_of(min(query.day or today, today))
    result = selectors.overdue(user=user, schedule=schedule, period=period, org=org)
    missing = selectors.missing_members(user=user, schedule=schedule, period=period, org=org)
    return {
        "form": schedule.form.name,
        "period": period,
        "due_at": result.due_at,
        "past_due": result.past_due,
        "expected": result.total.expected,
        "reported": result.total.reported,
        "late": result.total.late,
        "missing": result.total.missing,
        "units": [_counts(r) for r in result.units],
        "branches": [_counts(r) for r in result.branches],
        "members": [
            {"id": m.pk, "number": m.number, "name": m.name, "branch": m.branch.name}
            for m in missing[:500]
        ],
    }
