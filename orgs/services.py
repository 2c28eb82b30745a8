"""Writes to the org tree and campuses."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError

from audit.services import audit_record, diff_fields
from orgs.models import ALLOWED_CHILD_KINDS, Campus, Org, OrgKind

ORG_FIELDS = ("name", "short_name", "kind", "campus", "secretary", "organiser", "email")


def _check_name(parent: Org | None, name: str, exclude: Org | None = None) -> None:
    siblings = Org.objects.get_children(parent) if parent else Org.objects.get_root_nodes()
    if exclude is not None:
        siblings = siblings.exclude(pk=exclude.pk)
    if siblings.filter(name=name).exists():
        raise ValidationError({"name": f"同一上级下已有名为「{name}」的组织。"})


@transaction.atomic
def org_create(*, actor: Any, parent: Org | None, **fields: Any) -> Org:
    kind = fields["kind"]
    if parent is None:
        if kind != OrgKind.SCHOOL_COMMITTEE or Org.objects.get_root_nodes().exists():
            raise ValidationError({"kind": "只能有一个校党委作为根组织。"})
    elif kind not in ALLOWED_CHILD_KINDS[parent.kind]:
        raise ValidationError(
            {"kind": f"{parent.get_kind_display()}下不能设立{OrgKind(kind).label}。"}
        )
    _check_name(parent, fields["name"])
    node = Org(**fields)
    node.full_clean(exclude=["path", "depth", "numchild"])
    org = (
        Org.objects.add_root(instance=node)
        if parent is None
        else Org.objects.add_child(parent, instance=node)
    )
    audit_record(
        actor=actor,
        action="org.create",
        target=org,
        changes=diff_fields({}, {k: v for k, v in fields.items() if v not in ("", None)}),
    )
    return org


@transaction.atomic
def org_update(*, actor: Any, org: Org, **fields: Any) -> Org:
    if "kind" in fields and fields["kind"] != org.kind:
        parent = Org.objects.get_parent(org)
        if parent is not None and fields["kind"] not in ALLOWED_CHILD_KINDS[parent.kind]:
            raise ValidationError({"kind": "上级组织下不能设立该类型的组织。"})
        if org.kind == OrgKind.BRANCH and org.members.exists():
            raise ValidationError({"kind": "该党支部下还有党员，不能更改类型。"})
    if "name" in fields:
        _check_name(Org.objects.get_parent(org), fields["name"], exclude=org)
    before = {f: getattr(org, f) for f in fields}
    for name, value in fields.items():
        setattr(org, name, value)
    org.full_clean(exclude=["path", "depth", "numchild"])
    changes = diff_fields(before, fields)
    if changes:
        org.save()
        audit_record(actor=actor, action="org.update", target=org, changes=changes)
    return org


@transaction.atomic
def org_move(*, actor: Any, org: Org, new_parent: Org) -> Org:
    """Move an org with its whole subtree (members, grants and all) under another parent."""
    old_parent = Org.objects.get_parent(org)
    if old_parent is None:
        raise ValidationError("校党委不能移动。")
    if new_parent.path.startswith(org.path):
        raise ValidationError("不能移到自身或自身的下级组织之下。")
    if org.kind not in ALLOWED_CHILD_KINDS[new_parent.kind]:
        raise ValidationError(
            f"{new_parent.get_kind_display()}下不能设立{org.get_kind_display()}。"
        )
    if new_parent.pk == old_parent.pk:
        return org
    _check_name(new_parent, org.name)
    Org.objects.move(org, new_parent, pos="last-child")
    org.refresh_from_db()
    audit_record(
        actor=actor,
        action="org.move",
        target=org,
        changes={"parent": [old_parent.name, new_parent.name]},
    )
    return org


@transaction.atomic
def org_delete(*, actor: Any, org: Org) -> None:
    if org.depth == 1:
        raise ValidationError("不能删除校党委。")
    if Org.objects.get_descendants(org).exists() or Org.objects.get_children_count(org):
        raise ValidationError("请先删除或移走下级组织。")
    if org.members.exists():
        raise ValidationError("该组织下还有党员，请先转出。")
    audit_record(actor=actor, action="org.delete", target=org, changes={"name": [org.name, None]})
    try:
        org.delete()
    except ProtectedError as e:
        # Records kept in its name (talks, deliberations, posts, rosters …) are never lost.
        raise ValidationError(
            "该组织名下还有工作记录（如谈心谈话、民主议事、岗位、值班表），不能删除。"
        ) from e


@transaction.atomic
def campus_save(*, actor: Any, campus: Campus | None, name: str, address: str = "") -> Campus:
    if campus is None:
        campus = Campus(name=name, address=address)
        campus.full_clean()
        campus.save()
        audit_record(
            actor=actor, action="campus.create", target=campus, changes={"name": [None, name]}
        )
        return campus
    before = {"name": campus.name, "address": campus.address}
    campus.name, campus.address = name, address
    campus.full_clean()
    campus.save()
    audit_record(
        actor=actor,
        action="campus.update",
        target=campus,
        changes=diff_fields(before, {"name": name, "address": address}),
    )
    return campus
