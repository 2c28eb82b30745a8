"""The demo university's campaigns data (called by seed_demo).

2020「四个一」 exactly as notice 000 defines it (all deadlines past), a current copy with
deadlines ahead so the pages show open deliverables, and submissions in every state.
"""

import datetime as dt
import shutil
import struct
import tempfile
import zlib
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from campaigns import services
from campaigns.forms import end_of_day
from campaigns.models import (
    Campaign,
    Deliverable,
    DeliverableKind,
    LatePolicy,
    MaterialType,
    SubmissionState,
)
from lib.media import LECTURE_TOPICS
from members.models import Member
from orgs.models import Org

S = SubmissionState
M = MaterialType
NOTICE = (
    "为贯彻落实党中央关于常态化疫情防控的决策部署，充分发挥高校基层党组织战斗堡垒作用和师生党员"
    "先锋模范作用，开展「让党旗始终高高飘扬——学校基层党组织常态化疫情防控“四个一”行动」："
    "举办一堂专题微党课、召开一场组织生活会、打造一个教育素材库、构筑一道“红色防火墙”。"
)
FIREWALL_SUBKINDS = ["先锋岗", "责任状", "突击队", "立项攻关"]


def deliverable_specs(year: int, deadlines: dict[str, dt.datetime]) -> list[dict[str, Any]]:
    """The four deliverables of 「四个一」 (notice 000); the numbers are data."""
    return [
        {
            "kind": DeliverableKind.MICRO_LECTURE,
            "name": "专题微党课",
            "deadline": deadlines["lecture"],
            "quota": 1,
            "material_types": [M.VIDEO],
            "topics": list(LECTURE_TOPICS),
            "late_policy": LatePolicy.REFUSE,
            "description": (
                f"{year}年7月底前，各级党组织负责人为本组织成员讲授一堂专题微党课，可由一人或多人"
                "主讲。建议视频时长15-20分钟，分辨率1920×1080，MP4（H.264）格式，"
                "不超过2G，配字幕。每个二级单位党委可报送1门。"
            ),
        },
        {
            "kind": DeliverableKind.STORY,
            "name": "战疫故事汇",
            "deadline": deadlines["story"],
            "quota": 5,
            "material_types": [M.TEXT, M.PICTURE, M.VIDEO],
            "requires_summary": True,
            "late_policy": LatePolicy.REFUSE,
            "description": (
                "「七一」前后以党支部为单位召开组织生活会，以「迎党的生日、讲战疫故事、悟初心使命」"
                "为主要内容，梳理形成具有支部特色的「战疫故事汇」。每个二级单位党委不超过5个，"
                "并于7月底前报送开展情况总结材料。"
            ),
        },
        {
            "kind": DeliverableKind.MATERIAL,
            "name": "教育素材库",
            "deadline": deadlines["material"],
            "quota": None,
            "material_types": [M.TEXT, M.PICTURE, M.AUDIO, M.VIDEO, M.CASE],
            "late_policy": LatePolicy.REFUSE,
            "description": (
                "10月底前，各二级单位党委可择优提交反映党组织和党员战疫斗争的文字、图片、音视频、"
                "工作案例等多种形式素材，数量结合本单位实际确定。"
            ),
        },
        {
            "kind": DeliverableKind.RED_FIREWALL,
            "name": "「红色防火墙」",
            "deadline": deadlines["firewall"],
            "quota": None,
            "material_types": [M.TEXT, M.PICTURE, M.VIDEO],
            "subkinds": FIREWALL_SUBKINDS,
            "late_policy": LatePolicy.MARK_LATE,
            "description": (
                "通过设立党员先锋岗、签订党员责任状、组织党员突击队、开展党员立项攻关等形式构筑"
                "疫情防控「红色防火墙」，及时总结先进事迹和典型经验，数量结合本单位实际确定。"
                "（通知未规定截止时间，按年底掌握，逾期仍接收并标记。）"
            ),
        },
    ]


def campaign_four_ones(
    *, school: Org, actor: Any, name: str, year: int, deadlines: dict[str, dt.datetime]
) -> tuple[Campaign, dict[str, Deliverable]]:
    campaign = services.campaign_create(
        actor=actor, org=school, name=name, year=year, description=NOTICE
    )
    deliverables = {}
    for order, spec in enumerate(deliverable_specs(year, deadlines), start=1):
        d = services.deliverable_create(actor=actor, campaign=campaign, order=order, **spec)
        deliverables[d.kind] = d
    return campaign, deliverables


# --- small real files --------------------------------------------------------------------------


def _png(path: Path, rgb: tuple[int, int, int], size: int = 48) -> Path:
    raw = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    return path


def _video(path: Path) -> Path | None:
    try:
        from lib.media_samples import make_video
    except ImportError:
        return None
    try:
        return make_video(path, seconds=1.0)
    except Exception:  # no encoder on this machine: the demo goes without a video
        return None


class _Files:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="campaigns-demo-"))
        self.n = 0

    def text(self, name: str, body: str) -> services.IncomingFile:
        self.n += 1
        path = self.dir / f"{self.n}.txt"
        path.write_text(body, encoding="utf-8")
        return services.incoming_from_path(path, name=name)

    def picture(self, name: str, rgb: tuple[int, int, int]) -> services.IncomingFile:
        self.n += 1
        return services.incoming_from_path(_png(self.dir / f"{self.n}.png", rgb), name=name)

    def video(self, name: str) -> services.IncomingFile | None:
        self.n += 1
        path = _video(self.dir / f"{self.n}.mp4")
        return services.incoming_from_path(path, name=name) if path else None


def _authors(unit: Org, count: int) -> list[services.AuthorIn]:
    members = Member.objects.filter(branch__path__startswith=unit.path).order_by("number")
    return [services.AuthorIn(member=m) for m in members[:count]]


def _submit(
    *,
    actor: Any,
    d: Deliverable,
    unit: Org,
    title: str,
    files: list[services.IncomingFile | None],
    at: dt.datetime | None,
    states: tuple[str, ...] = (),
    reviewer: Any = None,
    score: str | None = None,
    **fields: Any,
) -> None:
    s = services.submission_create(
        actor=actor,
        deliverable=d,
        org=unit,
        title=title,
        authors=_authors(unit, 2),
        **fields,
    )
    services.submission_attach(actor=actor, submission=s, incoming=[f for f in files if f])
    if at is None:
        return
    services.submission_submit(actor=actor, submission=s, now=at)
    if score is not None:
        from decimal import Decimal

        services.submission_review(
            reviewer=reviewer, submission=s, score=Decimal(score), comment="主题鲜明，事迹感人。"
        )
    for state in states:
        services.submission_transition(
            submission=s,
            to_state=state,
            actor=reviewer,
            comment="请补充活动照片后重新报送。" if state == S.RETURNED else "",
        )


def seed(*, school: Org) -> None:
    """Create this app's demo records under `school` (inside seed_demo's transaction)."""
    files = _Files()
    try:
        _seed(school=school, files=files)
    finally:
        shutil.rmtree(files.dir, ignore_errors=True)


def _seed(*, school: Org, files: _Files) -> None:
    users = get_user_model().objects
    zzb = users.filter(username="zzb").first()
    reviewer = users.filter(username="pingshen").first() or zzb
    unit_admins = {u.username: u for u in users.filter(username__in=["jsj_admin", "jx_admin"])}
    units = list(Org.objects.filter(depth=2, path__startswith=school.path).order_by("path"))
    if len(units) < 3:
        return
    jsj, jx = units[0], units[1]
    a_jsj = unit_admins.get("jsj_admin", zzb)
    a_jx = unit_admins.get("jx_admin", zzb)

    # 2020「四个一」 as the notice defines it.
    _old, d20 = campaign_four_ones(
        school=school,
        actor=zzb,
        name="2020年基层党组织常态化疫情防控「四个一」行动",
        year=2020,
        deadlines={
            "lecture": end_of_day(dt.date(2020, 7, 31)),
            "story": end_of_day(dt.date(2020, 7, 31)),
            "material": end_of_day(dt.date(2020, 10, 31)),
            "firewall": end_of_day(dt.date(2020, 12, 31)),
        },
    )
    july = timezone.make_aware(dt.datetime(2020, 7, 20, 10, 0))
    K = DeliverableKind
    for unit, actor in ((jsj, a_jsj), (jx, a_jx)):
        services.unit_summary_save(
            actor=actor,
            deliverable=d20[K.STORY],
            org=unit,
            text=(
                f"{unit.name}各党支部于2020年6月28日至7月3日以线上线下结合方式召开组织生活会，"
                "围绕「迎党的生日、讲战疫故事、悟初心使命」，每名党员讲身边故事、谈切身体会。"
            ),
        )
    _submit(
        actor=a_jsj,
        d=d20[K.MICRO_LECTURE],
        unit=jsj,
        title="让党旗在防控疫情斗争第一线高高飘扬",
        topic=LECTURE_TOPICS[0],
        summary="学院党委书记结合学院师生抗疫事迹讲授专题微党课。",
        files=[files.video("微党课-让党旗高高飘扬.mp4")],
        at=july,
        reviewer=reviewer,
        score="92",
        states=(S.SHORTLISTED, S.SELECTED, S.RECOMMENDED),
    )
    _submit(
        actor=a_jx,
        d=d20[K.MICRO_LECTURE],
        unit=jx,
        title="有序推进学校复学复课",
        topic=LECTURE_TOPICS[4],
        files=[files.video("复学复课微党课.mp4")],
        at=july,
        reviewer=reviewer,
        score="85",
        states=(S.SHORTLISTED,),
    )
    stories = [
        ("逆行的白衣：校医院党员的七十个日夜", (S.SELECTED, S.PUBLISHED), "95"),
        ("云端支部：一次特别的组织生活会", (S.SELECTED,), "90"),
        ("宿舍楼下的红马甲", (), None),
    ]
    for title, states, score in stories:
        _submit(
            actor=a_jsj,
            d=d20[K.STORY],
            unit=jsj,
            title=title,
            summary=f"{title}。支部党员讲述疫情期间坚守岗位、服务师生的故事。",
            tags=["抗疫一线", "组织生活会"],
            files=[
                files.text(f"{title}.txt", f"{title}\n\n（故事正文）"),
                files.picture(f"{title}-照片.png", (200, 22, 29)),
            ],
            at=july,
            reviewer=reviewer,
            score=score,
            states=states,
        )
    _submit(
        actor=a_jx,
        d=d20[K.STORY],
        unit=jx,
        title="实验室里的坚守",
        summary="化工学院党员教师坚守实验室、保障科研攻关的故事。",
        files=[files.text("实验室里的坚守.txt", "实验室里的坚守\n\n（故事正文）")],
        at=july,
        reviewer=reviewer,
        states=(S.RETURNED,),
    )
    october = timezone.make_aware(dt.datetime(2020, 10, 15, 9, 0))
    for title, rgb in (
        ("校园封闭管理中的党员先锋岗", (30, 90, 160)),
        ("志愿者合影", (60, 150, 60)),
    ):
        _submit(
            actor=a_jsj,
            d=d20[K.MATERIAL],
            unit=jsj,
            title=title,
            summary="反映党员在校园疫情防控中发挥作用的图片素材。",
            tags=["图片", "校园防控"],
            files=[files.picture(f"{title}.png", rgb)],
            at=october,
            reviewer=reviewer,
            score="88",
            states=(S.SELECTED,),
        )
    for subkind, title in (
        ("先锋岗", "学生公寓党员先锋岗"),
        ("突击队", "核酸检测志愿服务突击队"),
        ("立项攻关", "疫后综合征研判立项攻关"),
    ):
        _submit(
            actor=a_jsj,
            d=d20[K.RED_FIREWALL],
            unit=jsj,
            title=title,
            subkind=subkind,
            summary=f"{title}的做法与成效。",
            files=[files.text(f"{title}.txt", f"{title}\n\n（先进事迹）")],
            at=october,
        )

    # This year's copy: open deliverables, a deadline two days away, reminders shown.
    now = timezone.localtime()
    today = now.date()
    _current, dnow = campaign_four_ones(
        school=school,
        actor=zzb,
        name=f"{now.year}年度「四个一」行动",
        year=now.year,
        deadlines={
            "lecture": end_of_day(today + dt.timedelta(days=2)),
            "story": end_of_day(today + dt.timedelta(days=20)),
            "material": end_of_day(today + dt.timedelta(days=60)),
            "firewall": end_of_day(today + dt.timedelta(days=90)),
        },
    )
    _submit(
        actor=a_jsj,
        d=dnow[K.MICRO_LECTURE],
        unit=jsj,
        title="抓紧抓实抓细常态化疫情防控工作",
        topic=LECTURE_TOPICS[3],
        files=[files.video("常态化防控微党课.mp4")],
        at=timezone.now(),
    )
    _submit(
        actor=a_jx,
        d=dnow[K.STORY],
        unit=jx,
        title="我们的战疫故事（草稿）",
        summary="正在整理中。",
        files=[],
        at=None,
    )
    # The daily reminder, as the task sends it: units yet to submit the 微党课 due in two days
    # are reminded (the board shows it; their admins find it in the notice centre).
    services.reminders_send()
