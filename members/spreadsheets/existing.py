"""Rows compared with the members already stored: a create, an update, a no-op, or a number
that belongs to someone the importer may not change.
"""

import datetime as dt
from typing import Any

from members.models import Member
from members.spreadsheets.columns import COMPARED_FIELDS
from members.spreadsheets.org_names import ImportScope
from members.spreadsheets.plan import (
    ImportPlan,
    RowError,
)

# The one answer for a 学工号 the importer may not use. Numbers are unique across the school, so
# a refusal cannot be avoided; it names no unit, no person and not whether a member holds it.
NUMBER_NOT_YOURS = "学工号已被占用或不在您的管理范围内，无法导入；如需转入本单位，请联系组织部"


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def compare_with_existing(sheet: str, scope: ImportScope, plan: ImportPlan) -> None:
    numbers = [r["number"] for r in plan.rows]
    existing = {
        values["number"]: values
        for values in Member.objects.numbered(numbers).values(
            "number", "branch__path", *COMPARED_FIELDS
        )
    }
    kept: list[dict[str, Any]] = []
    for row in plan.rows:
        stored = existing.get(row["number"])
        masked = row.get("masked", [])
        if stored is None:
            for name in masked:
                label = "手机号" if name == "phone" else "身份证号"
                plan.errors.append(
                    RowError(sheet, row["row"], label, "该值已脱敏（含 *），新党员需填写完整")
                )
            if not masked:
                plan.create_count += 1
                kept.append(row)
            continue
        if not scope.in_scope(stored["branch__path"]):
            plan.errors.append(RowError(sheet, row["row"], "学工号", NUMBER_NOT_YOURS))
            continue
        kept.append(row)
        if row.get("branch_ref") is not None or any(
            name in row and row[name] != _plain(stored[name]) for name in COMPARED_FIELDS
        ):
            plan.update_count += 1
    plan.rows = kept
