"""Writes of 干部纪实台账: an entry, written once with its sources and its audit row."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from access.scope import Perm, can
from audit.services import audit_record
from ledger.models import AccountabilityType, CadreRecord, CadreRecordSource, RecordKind
from ledger.selectors import sources_for
from members.models import CadreRank, Member
from orgs.models import Org


@transaction.atomic
def record_create(
    *,
    actor: Any,
    member: Member,
    kind: str,
    occurred_from: dt.date,
    occurred_until: dt.date,
    text: str,
    accountability: str = "",
    source_keys: list[str] | None = None,
    suggested: bool = False,
) -> CadreRecord:
    if not can(actor, Perm.CADRE_LEDGER, member.branch):
        raise PermissionDenied
    if member.cadre_rank == CadreRank.NONE:
        raise ValidationError(f"{member.name}不是干部，不建纪实台账。")
    if kind not in RecordKind.values:
        raise ValidationError("请选择类别：表现突出或问责。")
    if kind == RecordKind.ACCOUNTABILITY and accountability not in AccountabilityType.values[1:]:
        raise ValidationError("问责请选择问责方式。")
    if kind == RecordKind.OUTSTANDING:
        accountability = ""
    if occurred_until < occurred_from:
        raise ValidationError("截止日期不能早于起始日期。")
    if occurred_until > timezone.localdate():
        raise ValidationError("纪实的日期不能晚于今天。")
    if not text.strip():
        raise ValidationError("请填写纪实内容。")
    offered = {s.key: s for s in sources_for(member=member, limit=None)}
    keys = list(dict.fromkeys(source_keys or []))
    unknown = [k for k in keys if k not in offered]
    if unknown:
        raise ValidationError("所选依据不是该干部的值守记录、日志或承诺，请重新选择。")
    unit = Org.objects.get(path=member.branch.unit_path())
    record = CadreRecord.objects.create(
        member=member,
        unit=unit,
        kind=kind,
        accountability=accountability,
        occurred_from=occurred_from,
        occurred_until=occurred_until,
        text=text.strip(),
        suggested=suggested,
        recorded_by=actor,
    )
    CadreRecordSource.objects.bulk_create(
        [
            CadreRecordSource(
                record=record,
                kind=offered[k].kind,
                object_id=offered[k].object_id,
                label=offered[k].label[:300],
            )
            for k in keys
        ]
    )
    audit_record(
        actor=actor,
        action="cadre.record",
        target=record,
        changes={"member": member.number, "kind": kind, "sources": len(keys)},
        label=f"干部纪实：{member.name}（{record.get_kind_display()}）",
    )
    return record
