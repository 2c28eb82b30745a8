"""Every write to a member goes through here, from pages, the API, imports and commands."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.services import audit_record, diff_fields
from lib.cn import check_not_before
from members.models import Member, StatusChange, Transfer, WhereaboutsChange
from orgs.models import Org, OrgKind

# Fields changed only through their own service, which keeps their history.
HISTORY_FIELDS = (
    "political_status",
    "status_since",
    "whereabouts",
    "whereabouts_since",
    "branch",
    "party_group",
)


def _snapshot(member: Member, fields: list[str]) -> dict[str, Any]:
    return {f: getattr(member, f) for f in fields}


def _check_branch(branch: Org) -> None:
    if branch.kind != OrgKind.BRANCH:
        raise ValidationError({"branch": "党员只能编入党支部。"})


@transaction.atomic
def member_create(*, actor: Any, **fields: Any) -> Member:
    member = Member(**fields)
    _check_branch(member.branch)
    member.full_clean()
    member.save()
    audit_record(
        actor=actor,
        action="member.create",
        target=member,
        changes=diff_fields({}, {k: v for k, v in fields.items() if v not in ("", None)}),
    )
    return member


@transaction.atomic
def member_update(*, actor: Any, member: Member, **fields: Any) -> Member:
    """Change plain fields; status, whereabouts and branch have their own services."""
    bad = set(fields) & set(HISTORY_FIELDS)
    if bad:
        raise ValueError(f"use the dedicated service for {sorted(bad)}")
    before = _snapshot(member, list(fields))
    for name, value in fields.items():
        setattr(member, name, value)
    member.full_clean()
    changes = diff_fields(before, fields)
    if changes:
        member.save()
        audit_record(actor=actor, action="member.update", target=member, changes=changes)
    return member


@transaction.atomic
def member_move(
    *, actor: Any, member: Member, to_branch: Org, moved_on: dt.date, note: str = ""
) -> Member:
    _check_branch(to_branch)
    if to_branch.pk == member.branch_id:
        raise ValidationError({"to_branch": "新党支部与原党支部相同。"})
    Transfer.objects.create(
        member=member,
        from_branch_id=member.branch_id,
        to_branch=to_branch,
        moved_on=moved_on,
        note=note,
        recorded_by=actor,
    )
    old = member.branch
    member.branch = to_branch
    member.party_group = None  # a group is inside the old branch
    member.save(update_fields=["branch", "party_group", "updated_at"])
    audit_record(
        actor=actor,
        action="member.move",
        target=member,
        changes={"branch": [old.name, to_branch.name], "moved_on": str(moved_on)},
    )
    return member


@transaction.atomic
def member_group_set(*, actor: Any, member: Member, group: Org | None) -> Member:
    """Put a member in one of their branch's 党小组 (or in none)."""
    if group is not None and (
        group.kind != OrgKind.GROUP or group.path[: -Org.steplen] != member.branch.path
    ):
        raise ValidationError({"party_group": "只能编入本人所在党支部的党小组。"})
    if member.party_group_id == (group.pk if group else None):
        return member
    old = member.party_group.name if member.party_group else ""
    member.party_group = group
    member.save(update_fields=["party_group", "updated_at"])
    audit_record(
        actor=actor,
        action="member.group_set",
        target=member,
        changes={"party_group": [old, group.name if group else ""]},
    )
    return member


@transaction.atomic
def member_status_change(
    *, actor: Any, member: Member, to_status: str, changed_on: dt.date, note: str = ""
) -> StatusChange:
    if to_status == member.political_status:
        raise ValidationError({"to_status": "新政治面貌与当前相同。"})
    change = StatusChange.objects.create(
        member=member,
        from_status=member.political_status,
        to_status=to_status,
        changed_on=changed_on,
        note=note,
        recorded_by=actor,
    )
    member.political_status = to_status
    member.status_since = changed_on
    member.save(update_fields=["political_status", "status_since", "updated_at"])
    audit_record(
        actor=actor,
        action="member.status_change",
        target=member,
        changes={
            "political_status": [change.from_status, to_status],
            "changed_on": str(changed_on),
        },
    )
    return change


@transaction.atomic
def member_whereabouts_change(
    *,
    actor: Any,
    member: Member,
    to_whereabouts: str,
    changed_on: dt.date,
    place: str = "",
    note: str = "",
) -> WhereaboutsChange:
    try:
        check_not_before(changed_on, member.whereabouts_since, "当前去向的起始日期")
    except ValueError as e:
        raise ValidationError({"changed_on": str(e)}) from e
    change = WhereaboutsChange.objects.create(
        member=member,
        from_whereabouts=member.whereabouts,
        to_whereabouts=to_whereabouts,
        changed_on=changed_on,
        place=place,
        note=note,
        recorded_by=actor,
    )
    member.whereabouts = to_whereabouts
    member.whereabouts_since = changed_on
    member.save(update_fields=["whereabouts", "whereabouts_since", "updated_at"])
    audit_record(
        actor=actor,
        action="member.whereabouts_change",
        target=member,
        changes={
            "whereabouts": [change.from_whereabouts, to_whereabouts],
            "changed_on": str(changed_on),
            "place": place,
        },
    )
    return change
