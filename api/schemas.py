"""What /api/ sends and accepts; field names follow the glossary."""

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from lib.params import MAX_ID, MAX_INT32
from members.models import CadreRank, Category, PoliticalStatus, Whereabouts
from orgs.models import OrgKind

MAX_LIMIT = 200


def IdField(description: str) -> Any:
    """An optional id filter no larger than a database key holds."""
    return Field(None, ge=1, le=MAX_ID, description=description)


class ErrorOut(Schema):
    detail: str


class ValidationErrorItem(Schema):
    field: str
    message: str


class ValidationErrorOut(Schema):
    detail: str
    errors: list[ValidationErrorItem]


class Paging(Schema):
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description=f"每页条数（1–{MAX_LIMIT}）")
    offset: int = Field(0, ge=0, le=MAX_INT32, description="跳过的条数")


class CampusOut(Schema):
    id: int
    name: str


class Ref(Schema):
    id: int
    name: str


# --- orgs -------------------------------------------------------------------------------


class OrgFilters(Schema):
    parent: int | None = IdField("只列出该党组织的直接下级")
    kind: OrgKind | None = Field(None, description="党组织类型")


class OrgOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    parent_id: int | None = Field(description="上级党组织；不在您的权限范围内时为 null")
    depth: int
    campus: CampusOut | None


class OrgDetailOut(OrgOut):
    short_name: str
    secretary: str
    organiser: str
    email: str


class OrgPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[OrgOut]


# --- members ----------------------------------------------------------------------------

# The keys of members.selectors.SORTS, spelled out so the OpenAPI description lists them
# (a test keeps the two in step).
MemberSort = Literal[
    "number",
    "-number",
    "name",
    "-name",
    "status",
    "-status",
    "since",
    "-since",
    "updated",
    "-updated",
]


class MemberQuery(Schema):
    q: str = Field("", max_length=100, description="姓名、学工号或手机号")
    unit: int | None = IdField("二级党委 id")
    branch: int | None = IdField("党支部 id")
    political_status: PoliticalStatus | None = Field(None, description="政治面貌")
    category: Category | None = Field(None, description="类别")
    cadre_rank: CadreRank | None = Field(None, description="干部职级")
    cadre_only: bool = Field(False, description="只看干部")
    campus: int | None = IdField("校区 id")
    whereabouts: Whereabouts | None = Field(None, description="当前去向")
    sort: MemberSort = Field("number", description="排序；前缀 - 表示倒序")


class MemberOut(Schema):
    id: int
    number: str
    name: str
    gender: str
    gender_label: str
    category: str
    category_label: str
    political_status: str
    political_status_label: str
    status_since: dt.date | None
    branch: Ref
    unit_name: str
    cadre_rank: str
    cadre_rank_label: str
    campus: CampusOut | None
    phone: str = Field(description="无完整查看权限时打码")
    id_number: str = Field(description="无完整查看权限时打码")
    class_name: str
    major: str
    dorm_building: str
    dorm_room: str
    whereabouts: str
    whereabouts_label: str
    whereabouts_since: dt.date | None


class MemberPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[MemberOut]
