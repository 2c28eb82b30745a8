import json
import zlib
from collections.abc import Collection
from typing import Any

from django.conf import settings
from django.db import connections, models
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils.functional import cached_property

from orgs.models import Campus, Org


class Category(models.TextChoices):
    STAFF = "staff", "教工"
    STUDENT = "student", "学生"
    RETIRED = "retired", "离退休"


class PoliticalStatus(models.TextChoices):
    FULL = "full", "正式党员"
    PROBATIONARY = "probationary", "预备党员"
    DEVELOPMENT_TARGET = "development_target", "发展对象"
    ACTIVIST = "activist", "入党积极分子"
    MASSES = "masses", "群众"


class Whereabouts(models.TextChoices):
    ON_CAMPUS = "on_campus", "在校"
    HOME = "home", "居家"
    STRANDED = "stranded", "滞留外地"
    QUARANTINED = "quarantined", "隔离"


class CadreRank(models.TextChoices):
    NONE = "", "无"
    SECTION_DEPUTY = "section_deputy", "副科级"
    SECTION = "section", "正科级"
    DIVISION_DEPUTY = "division_deputy", "副处级"
    DIVISION = "division", "正处级"
    BUREAU = "bureau", "校级"


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class MemberQuerySet(models.QuerySet["Member"]):
    def in_org(self, org: Org) -> "MemberQuerySet":
        return self.filter(branch__path__startswith=org.path)

    def cadres(self) -> "MemberQuerySet":
        return self.exclude(cadre_rank=CadreRank.NONE)

    def numbered(self, numbers: Collection[str]) -> "MemberQuerySet":
        """Members holding any of `numbers` (学工号).

        On PostgreSQL the numbers are looked up first, each through the unique index (an
        `unnest` of one array joined laterally, 5,000 numbers a statement), and the members
        found are then selected by id (`id = ANY(array)`, planned knowing how many were
        found). Planned as one filter, 20,000 new numbers against a province's 300,000
        members became a scan of the whole table: a cost that grew with the installation
        rather than with the file. The look-up runs when this is called."""
        if connections[self.db].vendor != "postgresql":
            return self.filter(number__in=list(numbers))
        wanted = sorted(set(numbers))
        found: list[int] = []
        with connections[self.db].cursor() as cursor:
            for i in range(0, len(wanted), NUMBERS_PER_LOOKUP):
                cursor.execute(_NUMBER_LOOKUP, [wanted[i : i + NUMBERS_PER_LOOKUP]])
                found += [pk for (pk,) in cursor.fetchall()]
        table = self.model._meta.db_table
        found_ids = RawSQL(f"{table}.id = ANY(%s::bigint[])", (found,), BooleanField())
        return self.filter(found_ids)


# LIMIT 1 keeps the lateral subquery a probe of the number index per element (the number is
# unique): without it the planner may turn the join into a hash of the whole table.
_NUMBER_LOOKUP = (
    "SELECT m.id FROM unnest(%s::varchar[]) AS n(number) CROSS JOIN LATERAL "
    "(SELECT id FROM members_member WHERE number = n.number LIMIT 1) AS m"
)
# Small enough that a statement's estimated cost stays under PostgreSQL's default JIT
# threshold (compiling it took longer than the look-up).
NUMBERS_PER_LOOKUP = 5000


class Member(models.Model):
    """A person on the rolls of a branch: full and probationary members, and the people
    the branch is developing (活动分子, 发展对象)."""

    number = models.CharField("学工号", max_length=32, unique=True)
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=8, choices=Gender.choices, blank=True)
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    category = models.CharField("类别", max_length=16, choices=Category.choices)
    political_status = models.CharField(
        "政治面貌", max_length=24, choices=PoliticalStatus.choices, default=PoliticalStatus.FULL
    )
    status_since = models.DateField("政治面貌起始日期", null=True, blank=True)
    joined_on = models.DateField("入党日期", null=True, blank=True)
    branch = models.ForeignKey(
        Org, verbose_name="党支部", on_delete=models.PROTECT, related_name="members"
    )
    party_group = models.ForeignKey(
        Org,
        verbose_name="党小组",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="group_members",
        help_text="所在党支部下的党小组",
    )
    cadre_rank = models.CharField(
        "干部职级", max_length=24, choices=CadreRank.choices, blank=True, default=CadreRank.NONE
    )
    campus = models.ForeignKey(
        Campus,
        verbose_name="校区",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    phone = models.CharField("手机号", max_length=11, blank=True)
    class_name = models.CharField("班级", max_length=50, blank=True)
    major = models.CharField("专业", max_length=50, blank=True)
    dorm_building = models.CharField("宿舍楼", max_length=30, blank=True)
    dorm_room = models.CharField("宿舍号", max_length=20, blank=True)
    whereabouts = models.CharField(
        "当前去向", max_length=16, choices=Whereabouts.choices, default=Whereabouts.ON_CAMPUS
    )
    whereabouts_since = models.DateField("去向起始日期", null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = "党员"
        verbose_name_plural = "党员"
        ordering = ["number"]
        indexes = [
            models.Index(fields=["name"], name="member_name_idx"),
            models.Index(fields=["phone"], name="member_phone_idx"),
            models.Index(fields=["branch", "number"], name="member_branch_number_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.number}）"

    @property
    def is_cadre(self) -> bool:
        return bool(self.cadre_rank)


class StatusChange(models.Model):
    """One dated change of political status; the history is kept, never overwritten."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField("原政治面貌", max_length=24, choices=PoliticalStatus.choices)
    to_status = models.CharField("新政治面貌", max_length=24, choices=PoliticalStatus.choices)
    changed_on = models.DateField("变更日期")
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_on", "-id"]


class WhereaboutsChange(models.Model):
    """One dated change of whereabouts (在校 / 居家 / 滞留外地 / 隔离)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="whereabouts_changes")
    from_whereabouts = models.CharField("原去向", max_length=16, choices=Whereabouts.choices)
    to_whereabouts = models.CharField("新去向", max_length=16, choices=Whereabouts.choices)
    changed_on = models.DateField("变更日期")
    place = models.CharField("所在地", max_length=100, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_on", "-id"]


class Transfer(models.Model):
    """A move of a member from one branch to another."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="transfers")
    from_branch = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    to_branch = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    moved_on = models.DateField("转接日期")
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-moved_on", "-id"]


class ImportBatch(models.Model):
    """An uploaded member spreadsheet between preview and apply.

    The parsed rows and every error are kept so the preview can be shown again and the
    apply step works from exactly what the user saw.
    """

    class State(models.TextChoices):
        PREVIEW = "preview", "待确认"
        APPLIED = "applied", "已导入"
        REJECTED = "rejected", "有错误"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField("文件名", max_length=200)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PREVIEW)
    # The parsed rows (JSON-safe dicts, see pack_rows): compressed, since a 20,000-row file's
    # rows as a JSON value took longer to store than to check.
    packed_rows = models.BinaryField(default=bytes, editable=False)
    errors = models.JSONField(default=list)
    create_count = models.PositiveIntegerField(default=0)
    update_count = models.PositiveIntegerField(default=0)
    org_count = models.PositiveIntegerField(default=0)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @cached_property
    def rows(self) -> list[dict[str, Any]]:
        """The rows as import_batch_create() read them (they never change afterwards)."""
        return unpack_rows(self.packed_rows)


def pack_rows(rows: list[dict[str, Any]]) -> bytes:
    """JSON-safe dicts as compressed bytes that unpack_rows() turns back into equal dicts.

    Each distinct set of keys is written once and every row as its values, so a key absent
    from a row stays absent (an import tells "leave as it is" from "make blank" that way)."""
    key_sets: dict[tuple[str, ...], int] = {}
    values = []
    for row in rows:
        keys = tuple(row)
        index = key_sets.setdefault(keys, len(key_sets))
        values.append([index, *row.values()])
    text = json.dumps(
        {"keys": list(key_sets), "rows": values}, ensure_ascii=False, separators=(",", ":")
    )
    return zlib.compress(text.encode(), 1)


def unpack_rows(packed: bytes | memoryview) -> list[dict[str, Any]]:
    if not packed:
        return []
    data = json.loads(zlib.decompress(packed))
    key_sets = data["keys"]
    return [dict(zip(key_sets[row[0]], row[1:], strict=True)) for row in data["rows"]]
