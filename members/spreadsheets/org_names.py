"""Resolving the org names a file gives (所在单位 / 党支部 / 上级组织) within the importer's
scope: every org, campus and name one parse needs, each read with one query.
"""

from dataclasses import dataclass
from typing import Any

from access.scope import Perm, orgs_for_user, paths_with
from lib.cn import normalize_text
from orgs.models import Campus, Org, OrgKind


@dataclass
class OrgNode:
    name: str
    kind: str
    depth: int
    unit_key: str  # header_key of the unit's name (the depth-2 ancestor, or itself)
    pk: int | None = None  # an existing org
    path: str = ""
    ref: int | None = None  # index into ImportPlan.org_rows for an org the file creates
    parent: "OrgNode | None" = None  # set for an org the file creates


def name_key(value: object) -> str:
    return normalize_text(value).replace(" ", "")


class ImportScope:
    """The orgs, campuses and existing members one parse needs, each read with one query."""

    def __init__(self, user: Any) -> None:
        self.roots = paths_with(user, Perm.MEMBER_IMPORT)
        top = list(Org.objects.filter(depth__lte=2).values_list("path", "name", "depth"))
        self.school_name = next((name for path, name, depth in top if depth == 1), "")
        self.school_key = name_key(self.school_name)
        unit_names = {path: name for path, name, depth in top if depth == 2}
        self.campuses = {
            name_key(name): pk for pk, name in Campus.objects.values_list("pk", "name")
        }
        # name key -> nodes in scope with that name; parents are looked up here
        self.by_name: dict[str, list[OrgNode]] = {}
        # (unit key, branch key) -> branch nodes
        self.branches: dict[tuple[str, str], list[OrgNode]] = {}
        self.root_node: OrgNode | None = None
        self._branch_cache: dict[tuple[str, str], OrgNode | str] = {}
        orgs = orgs_for_user(user, Perm.MEMBER_IMPORT).values_list(
            "pk", "path", "depth", "name", "kind"
        )
        for pk, path, depth, name, kind in orgs:
            unit_path = path[: 2 * Org.steplen] if depth >= 2 else path
            unit_key = name_key(unit_names.get(unit_path, name))
            node = OrgNode(name=name, kind=kind, depth=depth, unit_key=unit_key, pk=pk, path=path)
            if depth == 1:
                self.root_node = node
                continue
            self.add(node)

    def in_scope(self, path: str) -> bool:
        return any(path.startswith(root) for root in self.roots)

    def add(self, node: OrgNode) -> None:
        self.by_name.setdefault(name_key(node.name), []).append(node)
        if node.kind == OrgKind.BRANCH:
            keys = {node.unit_key}
            if node.depth == 2:
                keys.add(self.school_key)
            for unit_key in keys:
                self.branches.setdefault((unit_key, name_key(node.name)), []).append(node)

    def children_named(self, parent: OrgNode, name_key: str) -> OrgNode | None:
        for node in self.by_name.get(name_key, []):
            if self._is_child(node, parent):
                return node
        return None

    def _is_child(self, node: OrgNode, parent: OrgNode) -> bool:
        if node.depth != parent.depth + 1:
            return False
        if node.pk is not None and parent.pk is not None:
            return node.path.startswith(parent.path)
        return node.parent is parent

    def parent_for(self, name: str) -> OrgNode | str:
        """The parent node named `name`, or the reason it cannot be used."""
        key = name_key(name)
        if not key or key == self.school_key:
            if self.root_node is None:
                return "您无权在校党委下直接新建组织"
            return self.root_node
        found = self.by_name.get(key, [])
        if not found:
            return f"未找到上级组织「{normalize_text(name)}」，或不在您的管理范围内"
        if len(found) > 1:
            return f"上级组织「{normalize_text(name)}」在您的管理范围内有重名，无法确定"
        return found[0]

    def branch_for(self, unit: str, branch: str) -> OrgNode | str:
        cached = self._branch_cache.get((unit, branch))
        if cached is None:
            cached = self._branch_cache[unit, branch] = self._branch_for(unit, branch)
        return cached

    def _branch_for(self, unit: str, branch: str) -> OrgNode | str:
        found = self.branches.get((name_key(unit), name_key(branch)), [])
        if not found:
            return (
                f"未知党支部：「{normalize_text(unit)} / {normalize_text(branch)}」不存在，"
                "或不在您的管理范围内"
            )
        if len(found) > 1:
            return f"「{normalize_text(unit)}」下有多个名为「{normalize_text(branch)}」的党支部"
        return found[0]
