"""Every write of 报备: keyword-only, atomic, each writes its audit row.

Who may write is checked here too (reports.scope), so the pages, /api/ and the demo share the
rules; a refusal is a ValidationError with a Chinese message, or PermissionDenied."""

import datetime as dt
import uuid
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import connections, router, transaction
from django.utils import timezone

from access.scope import Perm, can
from audit.services import audit_record
from members.models import Category, Member, Whereabouts
from orgs.models import Org
from reports import fever, reminders
from reports.builtin import READY_MADE
from reports.models import Frequency, Report, ReportForm, ReportFormVersion, ReportSchedule
from reports.schema import FILE_MAX_BYTES, IMAGE_EXTENSIONS, schema_errors
from reports.selectors import covers


def _check_schema(schema: Any) -> None:
    if errors := schema_errors(schema):
        raise ValidationError(errors)


@transaction.atomic
def form_create(
    *, actor: Any, owner: Org, name: str, schema: dict[str, Any], description: str = ""
) -> ReportForm:
    if not can(actor, Perm.REPORT_FORM_MANAGE, owner):
        raise PermissionDenied
    if not name.strip():
        raise ValidationError("请填写表单名称。")
    _check_schema(schema)
    form = ReportForm.objects.create(
        name=name.strip(), description=description, owner=owner, created_by=actor
    )
    ReportFormVersion.objects.create(form=form, number=1, schema=schema, created_by=actor)
    audit_record(
        actor=actor,
        action="report.form_create",
        target=form,
        changes={"owner": owner.name, "fields": len(schema["fields"])},
    )
    return form


@transaction.atomic
def form_revise(
    *,
    actor: Any,
    form: ReportForm,
    schema: dict[str, Any],
    name: str | None = None,
    description: str | None = None,
) -> ReportFormVersion:
    """A changed form is a new version; reports already made keep the version they used."""
    if not can(actor, Perm.REPORT_FORM_MANAGE, form.owner):
        raise PermissionDenied
    _check_schema(schema)
    form = ReportForm.objects.select_for_update().get(pk=form.pk)
    current = form.current_version()
    changes: dict[str, Any] = {}
    if name is not None and name.strip() and name.strip() != form.name:
        changes["name"] = [form.name, name.strip()]
        form.name = name.strip()
    if description is not None and description != form.description:
        changes["description"] = [form.description, description]
        form.description = description
    if changes:
        form.save(update_fields=["name", "description"])
    if current.schema == schema:
        if not changes:
            raise ValidationError("表单没有变化。")
        version = current
    else:
        version = ReportFormVersion.objects.create(
            form=form, number=current.number + 1, schema=schema, created_by=actor
        )
        changes["version"] = version.number
    audit_record(actor=actor, action="report.form_revise", target=form, changes=changes)
    return version


@transaction.atomic
def ready_made_install(*, actor: Any, owner: Org) -> list[ReportForm]:
    """The ready-made forms (health, whereabouts and travel, thoughts and work) for `owner`,
    each once."""
    made = []
    for name, description, schema in READY_MADE:
        if not ReportForm.objects.filter(owner=owner, name=name).exists():
            made.append(
                form_create(
                    actor=actor, owner=owner, name=name, schema=schema, description=description
                )
            )
    return made


@transaction.atomic
def schedule_create(
    *,
    actor: Any,
    form: ReportForm,
    org: Org,
    frequency: str,
    starts_on: dt.date,
    due_time: dt.time = dt.time(10, 0),
    ends_on: dt.date | None = None,
    categories: list[str] | None = None,
    whereabouts: list[str] | None = None,
    remind_minutes: int = 60,
) -> ReportSchedule:
    if not can(actor, Perm.REPORT_FORM_MANAGE, org):
        raise PermissionDenied
    if not (form.owner.path.startswith(org.path) or org.path.startswith(form.owner.path)):
        raise ValidationError("只能在表单所属党组织的范围内安排报备。")
    if frequency not in Frequency.values:
        raise ValidationError("请选择频次：每天、每周或一次。")
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError("结束日期不能早于开始日期。")
    categories = list(categories or [])
    whereabouts = list(whereabouts or [])
    if set(categories) - set(Category.values) or set(whereabouts) - set(Whereabouts.values):
        raise ValidationError("人员类别或去向不正确。")
    if not 0 <= remind_minutes <= 24 * 60:
        raise ValidationError("提前提醒时间应在 0–1440 分钟之间。")
    schedule = ReportSchedule.objects.create(
        form=form,
        org=org,
        frequency=frequency,
        starts_on=starts_on,
        ends_on=ends_on,
        due_time=due_time,
        categories=categories,
        whereabouts=whereabouts,
        remind_minutes=remind_minutes,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="report.schedule_create",
        target=schedule,
        changes={"form": form.name, "org": org.name, "frequency": frequency},
    )
    # Today's reminders of a schedule that starts now (later days: reminders.plan each day).
    transaction.on_commit(lambda: reminders.plan(timezone.localdate(), [schedule]))
    return schedule


@transaction.atomic
def schedule_stop(*, actor: Any, schedule: ReportSchedule) -> ReportSchedule:
    if not can(actor, Perm.REPORT_FORM_MANAGE, schedule.org):
        raise PermissionDenied
    if not schedule.active:
        raise ValidationError("该报备安排已停止。")
    schedule.active = False
    schedule.save(update_fields=["active"])
    audit_record(actor=actor, action="report.schedule_stop", target=schedule)
    return schedule


# --- a member reports -----------------------------------------------------------------------


def _save_file(member: Member, upload: UploadedFile, images_only: bool) -> dict[str, str]:
    name = PurePath(upload.name or "file").name[-100:]
    if (upload.size or 0) > FILE_MAX_BYTES:
        raise ValidationError(f"文件「{name}」超过 10 MB。")
    if images_only and not name.lower().endswith(IMAGE_EXTENSIONS):
        raise ValidationError(f"「{name}」不是图片，请上传 jpg、png 等图片。")
    path = default_storage.save(f"reports/{member.pk}/{uuid.uuid4().hex}-{name}", upload)
    return {"name": name, "path": path}


def _temperature(version: ReportFormVersion, answers: dict[str, Any]) -> Decimal | None:
    for f in version.fields:
        if f["kind"] == "temperature" and answers.get(f["name"]) is not None:
            return Decimal(str(answers[f["name"]])).quantize(Decimal("0.1"))
    return None


def report_submit(
    *,
    actor: Any,
    member: Member,
    schedule: ReportSchedule,
    period: dt.date,
    answers: dict[str, Any],
    version: ReportFormVersion | None = None,
    copied_from: Report | None = None,
) -> tuple[Report, bool]:
    """Record a member's report for a period; (report, created). A second submit for the same
    member, form and period (a double tap, a retry, a second device) returns the first report:
    the database holds one (report_one_per_member_form_period)."""
    if member.user_id is None or member.user_id != actor.pk:
        raise PermissionDenied
    today = timezone.localdate()
    if not schedule.active or not covers(schedule, member):
        raise ValidationError("您不在该报备安排的范围内，或报备已停止。")
    if period != schedule.period_of(period) or not schedule.runs_on(period):
        raise ValidationError("该日期不在报备期内。")
    if period > schedule.period_of(today):
        raise ValidationError("还没到这一期的报备时间。")
    version = version if version and version.form_id == schedule.form_id else None
    version = version or schedule.form.current_version()
    if copied_from is not None and copied_from.member_id != member.pk:
        copied_from = None
    spec = {f["name"]: f for f in version.fields}
    kept = {}
    for name, value in answers.items():
        if isinstance(value, UploadedFile):
            value = _save_file(member, value, bool(spec.get(name, {}).get("images_only")))
        kept[name] = value
    with transaction.atomic(savepoint=False):
        return _report_write(
            actor=actor,
            member=member,
            schedule=schedule,
            period=period,
            version=version,
            kept=kept,
            copied_from=copied_from,
        )


_INSERT_SQL: dict[str, tuple[str, list[Any]]] = {}


def _insert_once(report: Report) -> bool:
    """Insert the report unless the member's report of the period exists: one statement,
    `INSERT … ON CONFLICT (member, form, period) DO NOTHING RETURNING id`, with no savepoint
    around it. True (and `report.pk` set) when it was written; False when the other of two
    concurrent submits has it (PostgreSQL waits for that one to commit before it decides).
    The statement is built once per process from the model's fields."""
    connection = connections[router.db_for_write(Report)]
    if (built := _INSERT_SQL.get(connection.vendor)) is None:
        q = connection.ops.quote_name
        fields = [f for f in Report._meta.concrete_fields if not f.primary_key]
        columns = ", ".join(q(str(f.column)) for f in fields)
        unique = ", ".join(q(c) for c in ("member_id", "form_id", "period"))
        sql = (
            f"INSERT INTO {q(Report._meta.db_table)} ({columns})"
            f" VALUES ({', '.join(['%s'] * len(fields))})"
            f" ON CONFLICT ({unique}) DO NOTHING RETURNING {q('id')}"
        )
        built = _INSERT_SQL[connection.vendor] = (sql, fields)
    sql, fields = built
    params = [f.get_db_prep_save(f.pre_save(report, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    report.pk = row[0]
    report._state.adding, report._state.db = False, connection.alias
    return True


def _report_write(
    *,
    actor: Any,
    member: Member,
    schedule: ReportSchedule,
    period: dt.date,
    version: ReportFormVersion,
    kept: dict[str, Any],
    copied_from: Report | None,
) -> tuple[Report, bool]:
    """report_submit's writes, once every check has passed: all refusals come before it, so
    its transaction needs no savepoint of its own inside the page's (the morning rush pays
    for every statement), and the insert needs none either (`_insert_once`)."""
    now = timezone.now()
    report = Report(
        member=member,
        form_id=schedule.form_id,
        version=version,
        schedule=schedule,
        period=period,
        branch_id=member.branch_id,
        answers=kept,
        temperature=_temperature(version, kept),
        submitted_at=now,
        late=now > schedule.due_at(period),
        copied_from=copied_from,
    )
    if not _insert_once(report):
        # The other submit won the race; its report is the one.
        return Report.objects.get(member=member, form_id=schedule.form_id, period=period), False
    audit_record(
        actor=actor,
        action="report.submit",
        target=report,
        changes={"period": period.isoformat(), "late": report.late, "copied": bool(copied_from)},
        label=f"{member.name} 的{schedule.form.name}（{period}）",
    )
    if report.temperature is not None and report.temperature >= fever.threshold():
        fever.on_fever(
            member=member, temperature=report.temperature, measured_at=now, report=report
        )
    return report, True
