"""Member import: an uploaded workbook becomes an ImportBatch (preview), then is applied all
or nothing. Both steps are services: the page, the API and commands call these."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from access.scope import Perm, branches_for_user, has_perm_anywhere, paths_with
from audit.services import audit_record
from members.models import (
    ImportBatch,
    Member,
    StatusChange,
    Transfer,
    Whereabouts,
    WhereaboutsChange,
    pack_rows,
)
from members.spreadsheets import (
    COMPARED_FIELDS,
    DATE_FIELDS,
    NUMBER_NOT_YOURS,
    ORG_SHEET,
    parse_workbook,
)
from orgs.models import Org
from orgs.services import org_create

BATCH_SIZE = 2000
IMPORT_NOTE = "批量导入"
ORG_FIELDS = ("name", "kind", "campus_id", "secretary", "organiser", "email")


def import_batch_create(*, actor: Any, filename: str, data: bytes) -> ImportBatch:
    """Parse an upload and keep what it would do. Writes only the batch; raises
    SpreadsheetError (a ValueError) when the file is not a member workbook."""
    if not has_perm_anywhere(actor, Perm.MEMBER_IMPORT):
        raise PermissionDenied
    plan = parse_workbook(data, user=actor)
    rows = [*plan.org_rows, *plan.rows]
    batch = ImportBatch.objects.create(
        created_by=actor,
        filename=filename[:200],
        state=ImportBatch.State.REJECTED if plan.errors else ImportBatch.State.PREVIEW,
        packed_rows=pack_rows(rows),
        errors=[e.as_dict() for e in plan.errors],
        create_count=plan.create_count,
        update_count=plan.update_count,
        org_count=len(plan.org_rows),
    )
    batch.rows = rows  # what was packed, so an apply in the same process need not unpack it
    return batch


def _create_orgs(actor: Any, org_rows: list[dict[str, Any]], roots: list[str]) -> dict[int, Org]:
    created: dict[int, Org] = {}
    for row in org_rows:
        if row["parent_ref"] is not None:
            parent_pk = created[row["parent_ref"]].pk
        else:
            parent_pk = row["parent_id"]
        # Fresh from the database: treebeard places a child by the parent's numchild.
        parent = Org.objects.filter(pk=parent_pk).first()
        if parent is None or not any(parent.path.startswith(r) for r in roots):
            raise ValidationError(f"第 {row['row']} 行的上级组织已不在您的管理范围内，请重新上传。")
        fields = {name: row[name] for name in ORG_FIELDS if name in row}
        created[row["ref"]] = org_create(actor=actor, parent=parent, **fields)
    return created


def _insert_members(fields_list: list[dict[str, Any]], now: dt.datetime) -> None:
    """Insert new members. On PostgreSQL one COPY (a 20,000-row file must import in
    seconds, and building model instances for bulk_create is most of that); elsewhere
    bulk_create."""
    if not fields_list:
        return
    if connection.vendor != "postgresql":
        members = [Member(created_at=now, updated_at=now, **f) for f in fields_list]
        Member.objects.bulk_create(members, batch_size=BATCH_SIZE)
        return
    concrete = [f for f in Member._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in concrete}
    defaults["created_at"] = defaults["updated_at"] = now
    names = list(defaults)
    _copy(
        Member._meta.db_table, names, ([f.get(n, defaults[n]) for n in names] for f in fields_list)
    )


def _update_members(members: list[Member], fields: set[str]) -> None:
    """Write `fields` of changed members: on PostgreSQL COPY into a temporary table and one
    UPDATE ... FROM; elsewhere bulk_update."""
    if not members:
        return
    names = sorted({*fields, "updated_at"})
    if connection.vendor != "postgresql":
        Member.objects.bulk_update(members, names, batch_size=BATCH_SIZE // 2)
        return
    table, temp = Member._meta.db_table, "member_import_update"
    columns = ["id", *names]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {temp}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {temp} AS SELECT {', '.join(columns)} FROM {table} "
            "WITH NO DATA"
        )
    _copy(temp, columns, ([m.pk, *(getattr(m, n) for n in names)] for m in members))
    assignments = ", ".join(f"{n} = t.{n}" for n in names)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} m SET {assignments} FROM {temp} t WHERE m.id = t.id")
        cursor.execute(f"DROP TABLE {temp}")


def _copy(table: str, columns: list[str], rows: Iterable[list[Any]]) -> None:
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _member_fields(row: dict[str, Any], created: dict[int, Org]) -> dict[str, Any]:
    fields = {name: row[name] for name in ("number", *COMPARED_FIELDS) if name in row}
    for name in DATE_FIELDS & fields.keys():
        value = fields[name]
        fields[name] = dt.date.fromisoformat(value) if value else None
    if row.get("branch_ref") is not None:
        fields["branch_id"] = created[row["branch_ref"]].pk
    return fields


@transaction.atomic
def import_batch_apply(*, actor: Any, batch: ImportBatch) -> ImportBatch:
    """Write a previewed batch: orgs first, then new members in bulk, then the members whose
    fields changed, with status, whereabouts and branch history. All or nothing, once."""
    # Lock the batch so a second click waits here and then finds it applied. Only the state
    # is read again: rows and errors never change after the batch is created.
    state, creator_id = (
        ImportBatch.objects.select_for_update()
        .filter(pk=batch.pk)
        .values_list("state", "created_by_id")
        .get()
    )
    if creator_id != actor.pk:
        raise PermissionDenied
    if state == ImportBatch.State.APPLIED:
        raise ValidationError("该批次已经导入，不能重复导入。")
    if state != ImportBatch.State.PREVIEW or batch.errors:
        raise ValidationError("该文件有错误，请修改后重新上传。")
    roots = paths_with(actor, Perm.MEMBER_IMPORT)
    if not roots:
        raise PermissionDenied

    rows = batch.rows
    org_rows = [r for r in rows if r["sheet"] == ORG_SHEET]
    member_rows = [r for r in rows if r["sheet"] != ORG_SHEET]
    created_orgs = _create_orgs(actor, org_rows, roots)

    wanted = [_member_fields(row, created_orgs) for row in member_rows]
    branch_ids = {f["branch_id"] for f in wanted if f.get("branch_id") is not None}
    # Every branch in scope (a few thousand ids for a province) rather than `pk IN` the
    # file's branches: one plain query instead of thousands of parameters.
    allowed = set(branches_for_user(actor, Perm.MEMBER_IMPORT).values_list("pk", flat=True))
    if branch_ids - allowed:
        raise ValidationError("部分党支部已不在您的管理范围内，请重新上传。")
    existing = {
        m.number: m
        for m in Member.objects.numbered([f["number"] for f in wanted]).select_related("branch")
    }

    today = timezone.localdate()
    now = timezone.now()
    new: list[dict[str, Any]] = []
    changed: list[Member] = []
    changed_fields: set[str] = set()
    status_changes: list[StatusChange] = []
    whereabouts_changes: list[WhereaboutsChange] = []
    transfers: list[Transfer] = []
    for fields in wanted:
        member = existing.get(fields["number"])
        if member is None:
            fields.setdefault("whereabouts", Whereabouts.ON_CAMPUS)
            new.append(fields)
            continue
        if not any(member.branch.path.startswith(r) for r in roots):
            raise ValidationError(f"学工号 {member.number}：{NUMBER_NOT_YOURS}。")
        diff = [name for name, value in fields.items() if getattr(member, name) != value]
        if not diff:
            continue
        if "political_status" in diff:
            changed_on = fields.get("status_since") or today
            status_changes.append(
                StatusChange(
                    member=member,
                    from_status=member.political_status,
                    to_status=fields["political_status"],
                    changed_on=changed_on,
                    note=IMPORT_NOTE,
                    recorded_by=actor,
                )
            )
            if fields.get("status_since") is None:
                fields["status_since"] = changed_on
                diff.append("status_since")
        if "whereabouts" in diff:
            changed_on = fields.get("whereabouts_since") or today
            whereabouts_changes.append(
                WhereaboutsChange(
                    member=member,
                    from_whereabouts=member.whereabouts,
                    to_whereabouts=fields["whereabouts"],
                    changed_on=changed_on,
                    note=IMPORT_NOTE,
                    recorded_by=actor,
                )
            )
            if fields.get("whereabouts_since") is None:
                fields["whereabouts_since"] = changed_on
                diff.append("whereabouts_since")
        if "branch_id" in diff:
            transfers.append(
                Transfer(
                    member=member,
                    from_branch_id=member.branch_id,
                    to_branch_id=fields["branch_id"],
                    moved_on=today,
                    note=IMPORT_NOTE,
                    recorded_by=actor,
                )
            )
        for name in diff:
            setattr(member, name, fields[name])
        member.updated_at = now
        changed.append(member)
        changed_fields.update(diff)

    _insert_members(new, now)
    _update_members(changed, changed_fields)
    StatusChange.objects.bulk_create(status_changes, batch_size=BATCH_SIZE)
    WhereaboutsChange.objects.bulk_create(whereabouts_changes, batch_size=BATCH_SIZE)
    Transfer.objects.bulk_create(transfers, batch_size=BATCH_SIZE)

    batch.state = ImportBatch.State.APPLIED
    batch.applied_at = now
    batch.create_count = len(new)
    batch.update_count = len(changed)
    batch.org_count = len(created_orgs)
    batch.save(update_fields=["state", "applied_at", "create_count", "update_count", "org_count"])
    audit_record(
        actor=actor,
        action="member.import",
        target=batch,
        label=f"批量导入：{batch.filename}",
        changes={
            "filename": batch.filename,
            "created": len(new),
            "updated": len(changed),
            "unchanged": len(wanted) - len(new) - len(changed),
            "orgs_created": len(created_orgs),
        },
    )
    return batch
