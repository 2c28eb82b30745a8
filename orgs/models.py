from django.db import models
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet


class Campus(models.Model):
    name = models.CharField("校区", max_length=50, unique=True)
    address = models.CharField("地址", max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "校区"
        verbose_name_plural = "校区"

    def __str__(self) -> str:
        return self.name


class OrgKind(models.TextChoices):
    SCHOOL_COMMITTEE = "school_committee", "校党委"
    UNIT_COMMITTEE = "unit_committee", "二级党委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    GROUP = "group", "党小组"


class BranchKind(models.TextChoices):
    """What a branch's members are, for rules that differ by it (e.g. 组织生活 per term)."""

    STAFF = "staff", "教工支部"
    STUDENT = "student", "学生支部"
    RETIRED = "retired", "离退休支部"


# Which kinds may sit directly under which: the tree's shape rule, checked by org services.
ALLOWED_CHILD_KINDS: dict[str, set[str]] = {
    OrgKind.SCHOOL_COMMITTEE: {OrgKind.UNIT_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH},
    OrgKind.UNIT_COMMITTEE: {OrgKind.GENERAL_BRANCH, OrgKind.BRANCH},
    OrgKind.GENERAL_BRANCH: {OrgKind.BRANCH},
    OrgKind.BRANCH: {OrgKind.GROUP},
    OrgKind.GROUP: set(),
}
UNIT_KINDS = (OrgKind.UNIT_COMMITTEE, OrgKind.GENERAL_BRANCH)
MEMBER_HOLDING_KINDS = (OrgKind.BRANCH,)


class OrgQuerySet(MP_NodeQuerySet):
    def subtree_of(self, org: "Org") -> "OrgQuerySet":
        return self.filter(path__startswith=org.path)

    def units(self) -> "OrgQuerySet":
        return self.filter(depth=2)

    def branches(self) -> "OrgQuerySet":
        return self.filter(kind=OrgKind.BRANCH)


class OrgManager(MP_NodeManager):
    def get_queryset(self) -> OrgQuerySet:
        return OrgQuerySet(self.model, using=self._db).order_by("path")


class Org(MP_Node):
    """A node of the Party organisation tree; a subtree is one prefix query on `path`."""

    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=50, blank=True)
    kind = models.CharField("类型", max_length=20, choices=OrgKind.choices)
    branch_kind = models.CharField(
        "支部类别", max_length=16, choices=BranchKind.choices, blank=True
    )
    campus = models.ForeignKey(
        Campus,
        verbose_name="校区",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orgs",
    )
    secretary = models.CharField("书记", max_length=50, blank=True)
    organiser = models.CharField("组织员", max_length=50, blank=True)
    email = models.EmailField("联系邮箱", blank=True)

    objects = OrgManager()

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"

    def __str__(self) -> str:
        return self.name

    @property
    def is_unit(self) -> bool:
        return self.depth == 2

    def contains(self, other: "Org") -> bool:
        return other.path.startswith(self.path)

    def unit_path(self) -> str:
        """Path of the unit (depth-2 ancestor) this org belongs to; the root is its own unit."""
        return self.path[: 2 * self.steplen] if self.depth >= 2 else self.path
