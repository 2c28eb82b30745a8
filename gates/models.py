"""Campus gates (门岗): entry and exit registration, devices, personal pass codes.

An entry is a record of what happened: it keeps its gate, officer, person and time (PROTECT),
is never edited, and is stored once per id made on the device (`uid`, a unique constraint), so a
batch sent twice stores nothing twice.
"""

import secrets

from django.conf import settings
from django.db import models

from members.models import Member
from orgs.models import Campus
from rosters.models import Post


class Gate(models.Model):
    campus = models.ForeignKey(
        Campus, verbose_name="校区", on_delete=models.PROTECT, related_name="gates"
    )
    name = models.CharField("门岗名称", max_length=50)  # 北门, 东门
    # The roster's gate post: its published shifts say who keeps the gate when.
    post = models.ForeignKey(
        Post,
        verbose_name="对应值班岗位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="gates",
    )
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campus_id", "name"]
        verbose_name = "门岗"
        verbose_name_plural = "门岗"
        constraints = [
            models.UniqueConstraint(
                fields=["campus", "name"],
                name="gate_name_per_campus",
                violation_error_message="该校区已有同名门岗。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.campus.name}·{self.name}"


class GateKeeper(models.Model):
    """A member the duty office has assigned to a gate (and the device they carry), beside
    the roster: they may register there at any time."""

    gate = models.ForeignKey(Gate, on_delete=models.CASCADE, related_name="keepers")
    member = models.ForeignKey(
        Member, verbose_name="值守人员", on_delete=models.CASCADE, related_name="gate_keeps"
    )
    device_label = models.CharField("设备", max_length=50, blank=True)  # 北门 1 号机
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["gate", "member"], name="gate_keeper_once")]


class Device(models.Model):
    """A phone (a browser profile) that registers at a gate, known by the id it made itself.
    Each sync, even an empty one, marks it seen: a gate whose devices have gone quiet shows
    on the duty office's home page."""

    uid = models.UUIDField("设备标识", unique=True)
    gate = models.ForeignKey(Gate, on_delete=models.PROTECT, related_name="devices")
    last_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_sync_at = models.DateTimeField("最近同步")
    waiting = models.PositiveIntegerField("设备上待同步", default=0)


class Direction(models.TextChoices):
    IN = "in", "进"
    OUT = "out", "出"


class Source(models.TextChoices):
    DEVICE = "device", "设备同步"
    IMPORT = "import", "文件导入"


class Entry(models.Model):
    """One person through one gate, once."""

    uid = models.UUIDField("登记标识", unique=True)  # made on the device
    gate = models.ForeignKey(
        Gate, verbose_name="门岗", on_delete=models.PROTECT, related_name="entries"
    )
    device = models.ForeignKey(
        Device, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        on_delete=models.PROTECT,
        related_name="gate_entries",
    )
    at = models.DateTimeField("时间")  # on the device, when the person passed
    received_at = models.DateTimeField("收到时间", auto_now_add=True)
    direction = models.CharField("方向", max_length=3, choices=Direction.choices)
    member = models.ForeignKey(
        Member,
        verbose_name="人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="gate_entries",
    )
    visitor_name = models.CharField("访客姓名", max_length=50, blank=True)
    visitor_phone = models.CharField("访客电话", max_length=20, blank=True)
    visitor_reason = models.CharField("来访事由", max_length=200, blank=True)
    visitor_host = models.CharField("被访人", max_length=50, blank=True)
    temperature = models.DecimalField(
        "体温（℃）", max_digits=3, decimal_places=1, null=True, blank=True
    )
    fever = models.BooleanField("发热", default=False)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.DEVICE)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "进出登记"
        verbose_name_plural = "进出登记"
        constraints = [
            # a person on the roll, or a visitor with a name: never both, never neither
            models.CheckConstraint(
                condition=(models.Q(member__isnull=False) & models.Q(visitor_name=""))
                | (models.Q(member__isnull=True) & ~models.Q(visitor_name="")),
                name="gate_entry_member_or_visitor",
            ),
        ]
        indexes = [
            models.Index(fields=["gate", "at"], name="gate_entry_gate_at_idx"),
            models.Index(fields=["at"], name="gate_entry_at_idx"),
        ]

    @property
    def is_visitor(self) -> bool:
        return self.member_id is None

    @property
    def who(self) -> str:
        return self.member.name if self.member else f"{self.visitor_name}（访客）"


def new_pass_token() -> str:
    return secrets.token_urlsafe(18)  # 24 characters, 144 random bits


class PassCode(models.Model):
    """A member's personal pass code (我的通行码): a random token in a QR code, not their
    number. Re-issuing replaces the token; the old code stops working."""

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="pass_code")
    token = models.CharField(max_length=40, unique=True, default=new_pass_token)
    issued_at = models.DateTimeField(auto_now=True)
    issues = models.PositiveIntegerField("签发次数", default=1)


# What the QR code says: a prefix, so a gate tells our codes from any other QR code.
PASS_PREFIX = "DJTX:"
