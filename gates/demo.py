"""Demo gates: a north gate (on the roster's gate post) and a south gate at each campus, a day
and a morning of entries at each with a fever this morning, a quiet device, the demo member
assigned to the first north gate, and pass codes for everyone with a login."""

import datetime as dt
import random
import uuid
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from gates.models import Device, Direction, Entry, Gate, GateKeeper, PassCode
from members.models import Member
from orgs.models import Campus, Org
from rosters.models import Post, PostKind

# Entries per hour of a day at a gate: quiet at night, busy at the start and end of the day.
HOURLY = [1, 0, 0, 0, 0, 2, 6, 14, 18, 9, 6, 7, 10, 8, 6, 6, 8, 12, 14, 8, 5, 3, 2, 1]
REASONS = ["送快递", "维修水电", "探望学生", "参加会议", "送餐"]


def seed(*, school: Org) -> None:
    if Gate.objects.exists():
        return
    rng = random.Random(2020)
    users = get_user_model().objects
    officer = users.filter(username="fangkong").first() or users.first()
    member_user = users.filter(username="dangyuan").first()
    if officer is None:
        return
    now = timezone.now()
    today = timezone.localdate()
    gates: list[Gate] = []
    for campus in Campus.objects.order_by("pk")[:3]:
        post = Post.objects.filter(
            kind=PostKind.GATE_DUTY, campus=campus, is_leader_duty=False
        ).first()
        gates.append(Gate.objects.create(campus=campus, name="北门", post=post))
        gates.append(Gate.objects.create(campus=campus, name="南门"))
    own = Member.objects.filter(user=member_user).first() if member_user else None
    if own is not None and gates:
        GateKeeper.objects.create(gate=gates[0], member=own, device_label="北门 1 号机")
    for m in Member.objects.filter(user__isnull=False):
        PassCode.objects.get_or_create(member=m)
    rows: list[Entry] = []
    for i, gate in enumerate(gates):
        people = list(
            Member.objects.filter(Q(campus=gate.campus))
            .order_by("number")
            .values_list("id", flat=True)[:80]
        )
        if not people:
            continue
        quiet = i == 1  # one gate's phone went quiet 25 minutes ago
        last = now - dt.timedelta(minutes=25 if quiet else 1)
        device = Device.objects.create(
            uid=uuid.uuid4(),
            gate=gate,
            last_user=officer,
            last_sync_at=last,
            waiting=3 if quiet else 0,
        )
        for day in (today - dt.timedelta(days=1), today):
            for hour, n in enumerate(HOURLY):
                for _ in range(n):
                    at = timezone.make_aware(
                        dt.datetime.combine(
                            day, dt.time(hour, rng.randrange(60), rng.randrange(60))
                        )
                    )
                    if at > last:
                        continue
                    direction = rng.choice([Direction.IN, Direction.OUT])
                    temperature = Decimal(rng.choice(["36.2", "36.4", "36.5", "36.6", "36.8"]))
                    visitor = rng.random() < 0.08
                    rows.append(
                        Entry(
                            uid=uuid.uuid4(),
                            gate=gate,
                            device=device,
                            officer=officer,
                            at=at,
                            direction=direction,
                            member_id=None if visitor else rng.choice(people),
                            visitor_name=f"访客{rng.randrange(100, 999)}" if visitor else "",
                            visitor_phone="13700000000" if visitor else "",
                            visitor_reason=rng.choice(REASONS) if visitor else "",
                            visitor_host="值班室" if visitor else "",
                            temperature=temperature if direction == Direction.IN else None,
                        )
                    )
    morning = [
        r
        for r in rows
        if r.member_id and r.direction == Direction.IN and timezone.localdate(r.at) == today
    ]
    if morning:
        fever = morning[len(morning) // 2]
        fever.temperature, fever.fever = Decimal("37.8"), True
    Entry.objects.bulk_create(rows, batch_size=500)
