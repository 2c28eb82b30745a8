"""The demo university's 组织关爱 (called by seed_demo), with the seeds' figures (003):

- 党费慰问金: 7,720 元 from party dues, paid to 50 frontline staff on the three campuses
  (four visiting teams at 中秋); balance 0.
- 中秋学生慰问金: 30 元 each to 3,445 students = 103,350 元, the list kept.
- 计算机学院 keeps a fund of its own with a payout waiting for 组织部's approval.
"""

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from carefund import services
from carefund.models import CareFund
from carefund.services import Recipient
from members.models import Category, Member
from orgs.models import Campus, Org

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红文辉鹏宇浩然子涵欣怡梓轩思雨"
STUDENTS = 3445
PER_HEAD = Decimal("30")
# 50 staff on three campuses, 7,720 元 in all: 20 × 150, 15 × 160, 14 × 155 + 150.
FRONTLINE = [(20, ["150"] * 20), (15, ["160"] * 15), (15, ["155"] * 14 + ["150"])]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def seed(*, school: Org, unit: Org) -> None:
    if CareFund.objects.filter(org__path__startswith=school.path).exists():
        return
    users = get_user_model().objects
    zzb = users.filter(username="zzb").first()
    unit_admin = users.filter(username="jsj_admin").first()
    if zzb is None or unit_admin is None:
        return
    rng = random.Random(3445)
    today = timezone.localdate()
    festival = today - dt.timedelta(days=12)
    campuses = list(Campus.objects.order_by("id")[:3])

    dues = services.fund_create(
        actor=zzb, org=school, name="党费慰问金", source="党费拨付", note="校党委从党费中拨付"
    )
    services.fund_income(
        actor=zzb,
        fund=dues,
        amount=Decimal("7720"),
        received_on=festival - dt.timedelta(days=3),
        summary="校党委从党费拨付慰问一线人员",
    )
    staff = list(
        Member.objects.filter(branch__path__startswith=school.path, category=Category.STAFF)
        .order_by("number")
        .values_list("pk", "number", "name", "campus_id")
    )
    for campus, (count, amounts) in zip(campuses, FRONTLINE, strict=False):
        here = [s for s in staff if s[3] == campus.pk][:count]
        people = [
            Recipient(name=name, number=number, member_id=pk, amount=Decimal(a))
            for (pk, number, name, _), a in zip(here, amounts, strict=False)
        ]
        people += [  # not every one on the front line is on the roll (后勤, 心理咨询师)
            Recipient(name=f"{_name(rng)}（后勤保障）", amount=Decimal(a))
            for a in amounts[len(people) :]
        ]
        payment = services.payment_request(
            actor=zzb,
            fund=dues,
            title=f"中秋节慰问坚守一线人员（{campus.name}）",
            purpose="frontline",
            campus=campus,
            paid_on=festival,
            recipients=people,
        )
        services.payment_approve(actor=zzb, payment=payment, note="校党委会研究同意")

    students = services.fund_create(
        actor=zzb, org=school, name="中秋学生慰问金", source="学校专项经费"
    )
    services.fund_income(
        actor=zzb,
        fund=students,
        amount=PER_HEAD * STUDENTS,
        received_on=festival - dt.timedelta(days=3),
        summary="中秋学生慰问专项",
    )
    year = festival.year
    payment = services.payment_request(
        actor=zzb,
        fund=students,
        title="中秋节学生慰问金",
        purpose="students",
        paid_on=festival,
        per_head=PER_HEAD,
        group_label="留校及滞留外地学生",
        recipients=[
            Recipient(name=_name(rng), number=f"{year}{i:05d}", amount=PER_HEAD)
            for i in range(1, STUDENTS + 1)
        ],
    )
    services.payment_approve(actor=zzb, payment=payment, note="校党委会研究同意")

    own = services.fund_create(
        actor=zzb, org=unit, name=f"{unit.name}关爱基金", source="学院党费返还"
    )
    services.fund_income(
        actor=zzb, fund=own, amount=Decimal("2000"), received_on=festival, summary="党费返还"
    )
    needy = list(Member.objects.filter(branch__path__startswith=unit.path).order_by("number")[:2])
    if needy:
        services.payment_request(
            actor=unit_admin,
            fund=own,
            title="隔离期间困难党员帮扶",
            purpose="hardship",
            paid_on=today,
            recipients=[
                Recipient(name=m.name, number=m.number, member_id=m.pk, amount=Decimal("500"))
                for m in needy
            ],
        )
