"""Reads of members, always scoped by the acting user."""

import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from access.scope import Perm, members_for_user, own_member_id, paths_with
from lib.cn import normalize_text
from members.models import Member
from orgs.models import Org

SORTS = {
    "number": "number",
    "-number": "-number",
    "name": "name",
    "-name": "-name",
    "status": "political_status",
    "-status": "-political_status",
    "since": "whereabouts_since",
    "-since": "-whereabouts_since",
    "updated": "updated_at",
    "-updated": "-updated_at",
}


@dataclass
class MemberFilters:
    q: str = ""
    unit: int | None = None
    branch: int | None = None
    political_status: str = ""
    category: str = ""
    cadre_rank: str = ""
    cadre_only: bool = False
    campus: int | None = None
    whereabouts: str = ""
    sort: str = "number"
    extra: dict[str, Any] = field(default_factory=dict)


def member_list(
    *, user: Any, filters: MemberFilters | None = None, perm: str = Perm.MEMBER_VIEW
) -> QuerySet[Member]:
    """Members in the user's scope, filtered and sorted; rows carry branch and campus."""
    f = filters or MemberFilters()
    qs = members_for_user(user, perm).select_related("branch", "campus")
    if f.q:
        text = normalize_text(f.q)
        digits = text.replace("-", "").replace(" ", "")
        cond = Q(name__contains=text) | Q(number__startswith=text)
        if digits.isdigit() and len(digits) >= 3:
            cond |= _phone_match(user, digits)
        qs = qs.filter(cond)
    for org_id in (f.unit, f.branch):
        if org_id:
            org = Org.objects.filter(pk=org_id).only("path").first()
            qs = qs.filter(branch__path__startswith=org.path) if org else qs.none()
    if f.political_status:
        qs = qs.filter(political_status=f.political_status)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.cadre_rank:
        qs = qs.filter(cadre_rank=f.cadre_rank)
    if f.cadre_only:
        qs = qs.cadres()
    if f.campus:
        qs = qs.filter(campus_id=f.campus)
    if f.whereabouts:
        qs = qs.filter(whereabouts=f.whereabouts)
    return qs.order_by(SORTS.get(f.sort, "number"), "id")


def _phone_match(user: Any, digits: str) -> Q:
    """Part of a phone number matches only where the user sees phones in full (their own
    record, the subtrees where they hold member.full_phone); elsewhere only the whole number
    does, so a masked phone cannot be recovered digit by digit through the search."""
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    whole = Q(phone=digits) if len(digits) == 11 else Q(pk__in=[])
    full = Q(pk__in=[])
    own = own_member_id(user)
    if own is not None:
        full |= Q(pk=own)
    for root in paths_with(user, Perm.MEMBER_FULL_PHONE):
        full |= Q(branch__path__startswith=root)
    return whole | (Q(phone__contains=digits) & full)


def unit_names(orgs: QuerySet[Org]) -> dict[str, str]:
    """{unit path: unit name} for the depth-2 orgs among `orgs`, one query."""
    return dict(orgs.filter(depth=2).values_list("path", "name"))


def member_history(member: Member) -> list[dict[str, Any]]:
    """Status, whereabouts and branch changes of one member, newest first."""
    events: list[dict[str, Any]] = []
    for s in member.status_changes.select_related("recorded_by"):
        events.append(
            {
                "on": s.changed_on,
                "kind": "政治面貌",
                "text": f"{s.get_from_status_display()} → {s.get_to_status_display()}",
                "note": s.note,
                "by": s.recorded_by,
            }
        )
    for w in member.whereabouts_changes.select_related("recorded_by"):
        place = f"（{w.place}）" if w.place else ""
        events.append(
            {
                "on": w.changed_on,
                "kind": "去向",
                "text": f"{w.get_from_whereabouts_display()} → "
                f"{w.get_to_whereabouts_display()}{place}",
                "note": w.note,
                "by": w.recorded_by,
            }
        )
    for t in member.transfers.select_related("from_branch", "to_branch", "recorded_by"):
        events.append(
            {
                "on": t.moved_on,
                "kind": "组织关系转接",
                "text": f"{t.from_branch.name} → {t.to_branch.name}",
                "note": t.note,
                "by": t.recorded_by,
            }
        )
    events.sort(key=lambda e: e["on"], reverse=True)
    return events


# --- picking a person in a form: "姓名或学工号" boxes with suggestions ------------------------

PERSON_NOT_FOUND = "没有找到这个人：请输入你管辖范围内党员的姓名或学工号，并从提示中选择。"
# "张三（A0001）" as the suggestions show a person: the number in brackets decides.
_BRACKETED_NUMBER = re.compile(r"[（(]\s*([^（()）]+?)\s*[)）]\s*$")


def person_key(raw: str) -> str:
    """What a person box holds, as a 学工号 or a name: "张三（A0001）" → "A0001"."""
    text = normalize_text(raw).strip()
    if match := _BRACKETED_NUMBER.search(text):
        text = match.group(1)
    return text


def member_suggestions(
    people: QuerySet[Member], raw: str, *, limit: int = 10, username: bool = False
) -> Any:
    """Members of `people` whose name contains, or whose 学工号 starts with, what was typed
    (or, with `username`, whose login is exactly that); never phone numbers."""
    text = normalize_text(raw).strip()[:50]
    if not text:
        return []
    match = Q(name__contains=text) | Q(number__startswith=text)
    if username:
        match |= Q(user__username=text)
    return people.filter(match).select_related("branch", "user").order_by("number")[:limit]
