"""The workbook's sheets and columns, shared by the reader and the writer: the import template,
the export and the reader all follow MEMBER_COLUMNS and ORG_COLUMNS.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lib.xlsx import header_key
from members.models import (
    CadreRank,
    Category,
    Gender,
    PoliticalStatus,
    Whereabouts,
)
from orgs.models import OrgKind

MEMBER_SHEET = "党员"
ORG_SHEET = "组织"
HELP_SHEET = "说明"


@dataclass(frozen=True)
class Column:
    header: str  # without the "*" that marks a required column in the template
    field: str
    required: bool = False
    help: str = ""
    width: int = 12

    @property
    def title(self) -> str:
        return f"{self.header}*" if self.required else self.header


def _labels(choices: Iterable[tuple[str, str]]) -> str:
    return " / ".join(label for value, label in choices if value)


MEMBER_COLUMNS: tuple[Column, ...] = (
    Column("学工号", "number", True, "教工号或学号，全校唯一；再次导入时按学工号更新已有党员", 14),
    Column("姓名", "name", True, "", 10),
    Column("性别", "gender", False, _labels(Gender.choices), 6),
    Column("身份证号", "id_number", False, "18 位，最后一位可为 X；请将该列设为文本", 21),
    Column("类别", "category", True, _labels(Category.choices), 8),
    Column("政治面貌", "political_status", True, _labels(PoliticalStatus.choices), 12),
    Column("政治面貌起始日期", "status_since", False, "如 2020-02-23", 14),
    Column("入党日期", "joined_on", False, "如 2020-02-23", 12),
    Column("所在单位", "unit", True, "二级党委（党总支）名称；直属校党委的党支部填校党委名称", 18),
    Column("党支部", "branch", True, "党支部全称，须已存在或在「组织」表中新建", 22),
    Column("干部职级", "cadre_rank", False, _labels(CadreRank.choices) + "，非干部留空", 10),
    Column("校区", "campus", False, "须为系统中已有的校区名称", 10),
    Column("手机号", "phone", False, "11 位手机号码，可带空格、短横线或 +86", 14),
    Column("班级", "class_name", False, "", 12),
    Column("专业", "major", False, "", 12),
    Column("宿舍楼", "dorm_building", False, "", 10),
    Column("宿舍号", "dorm_room", False, "", 8),
    Column("当前去向", "whereabouts", False, _labels(Whereabouts.choices) + "，留空为在校", 10),
    Column("去向起始日期", "whereabouts_since", False, "如 2020-02-23", 14),
)

ORG_COLUMNS: tuple[Column, ...] = (
    Column("上级组织", "parent", False, "上级组织名称；留空或填校党委名称表示直属校党委", 18),
    Column("组织名称", "name", True, "同一上级下名称唯一；已存在的组织不会重复创建", 22),
    Column(
        "类型",
        "kind",
        True,
        "二级党委 / 党总支 / 党支部 / 党小组",
        10,
    ),
    Column("校区", "campus", False, "须为系统中已有的校区名称", 10),
    Column("书记", "secretary", False, "", 10),
    Column("组织员", "organiser", False, "", 10),
    Column("联系邮箱", "email", False, "", 22),
)

# Other spellings seen in real files, mapped to the template's header.
MEMBER_ALIASES = {
    "工号": "学工号",
    "学号": "学工号",
    "学号/工号": "学工号",
    "身份证": "身份证号",
    "身份证号码": "身份证号",
    "单位": "所在单位",
    "二级单位": "所在单位",
    "所在二级党委": "所在单位",
    "支部": "党支部",
    "所在支部": "党支部",
    "所在党支部": "党支部",
    "手机": "手机号",
    "手机号码": "手机号",
    "联系电话": "手机号",
    "去向": "当前去向",
}

DATE_FIELDS = frozenset({"status_since", "joined_on", "whereabouts_since"})
TEXT_FIELDS = ("class_name", "major", "dorm_building", "dorm_room")
ORG_CREATABLE_KINDS = (
    OrgKind.UNIT_COMMITTEE,
    OrgKind.GENERAL_BRANCH,
    OrgKind.BRANCH,
    OrgKind.GROUP,
)


def _choice_map(choices: Iterable[tuple[str, str]]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for value, label in choices:
        mapping[header_key(label)] = value
        if value:
            mapping[header_key(value)] = value
    return mapping


CHOICES: dict[str, tuple[dict[str, str], str]] = {
    "gender": (_choice_map(Gender.choices), _labels(Gender.choices)),
    "category": (_choice_map(Category.choices), _labels(Category.choices)),
    "political_status": (_choice_map(PoliticalStatus.choices), _labels(PoliticalStatus.choices)),
    "cadre_rank": (_choice_map(CadreRank.choices), _labels(CadreRank.choices)),
    "whereabouts": (_choice_map(Whereabouts.choices), _labels(Whereabouts.choices)),
}
ORG_KIND_CHOICES = (
    _choice_map((k.value, k.label) for k in ORG_CREATABLE_KINDS),
    _labels((k.value, k.label) for k in ORG_CREATABLE_KINDS),
)


def field_max_length(model: Any, name: str) -> int:
    return int(model._meta.get_field(name).max_length)


def _choices_of(field_name: str) -> list[tuple[str, str]]:
    return {
        "gender": Gender.choices,
        "category": Category.choices,
        "political_status": PoliticalStatus.choices,
        "cadre_rank": CadreRank.choices,
        "whereabouts": Whereabouts.choices,
    }[field_name]


# Fields of a member row compared with the stored member to tell an update from a no-op.
COMPARED_FIELDS = (
    "name",
    "gender",
    "id_number",
    "category",
    "political_status",
    "status_since",
    "joined_on",
    "branch_id",
    "cadre_rank",
    "campus_id",
    "phone",
    *TEXT_FIELDS,
    "whereabouts",
    "whereabouts_since",
)
