"""The Chinese audit log at 200,000 events, through Django's test client as bench_school.

200,000 audit rows of the shapes the services write (member edits with phone and status
diffs, exports with filters and counts, org and submission changes, roster solves, check-ins,
pledge signatures, grants, an action the renderer does not know) by 40 actors of every role,
spread over the last year, are loaded once with PostgreSQL's COPY (bulk_create elsewhere).
Three cases, each requested `repeat` times (at least 30) after a warm-up: the first page, a
filtered page (one kind of action in the last 90 days) and a deep page (「较早」 from the
100,000th event: the log pages by cursor, not offset). We report the worst case's p95 and
median in ms, and the page's query count at 50 and at 200 rows per page (equal: no query per
row).
"""

import datetime as dt
import json
import random
import re
import time
from html import unescape
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.models import Grant, Role
from audit.models import AuditEvent
from audit.selectors import Cursor
from bench import Figure, median, p95, settle_heap
from members.models import Member
from orgs.models import Org

EVENTS = 200_000
ACTORS = 40
WARM_UP = 5
MIN_REPEAT = 30
PER_PAGE = 50
STATUSES = ["full", "probationary", "development_target", "activist"]


def _actors() -> list[Any]:
    users = get_user_model().objects
    existing = list(users.filter(username__startswith="bench_audit_").order_by("pk"))
    if existing:
        return existing
    units = list(Org.objects.filter(depth=2).order_by("path"))
    roles = [Role.UNIT_ADMIN, Role.BRANCH_SECRETARY, Role.DUTY_OFFICE, Role.REVIEWER]
    made = []
    for i in range(ACTORS):
        user = users.create(username=f"bench_audit_{i:02d}", first_name=f"审计测试员{i:02d}")
        role = roles[i % len(roles)]
        org = units[i % len(units)] if role in (Role.UNIT_ADMIN, Role.BRANCH_SECRETARY) else None
        if org is None:
            org = Org.objects.get(depth=1, name="基准大学党委")
        if role == Role.BRANCH_SECRETARY:
            org = Org.objects.filter(path__startswith=org.path, depth=3).order_by("path").first()
        Grant.objects.create(user=user, org=org, role=role)
        made.append(user)
    return made


def _event(
    rng: random.Random, n: int, members: list[tuple[int, str, str]], orgs: list[Any]
) -> dict[str, Any]:
    """One row's action, target and payload, in the shapes the services write."""
    pick = n % 20
    if pick < 6:
        pk, label, phone = rng.choice(members)
        new = f"139{rng.randrange(10**8):08d}"
        changes: dict[str, Any] = {"phone": [phone, new]}
        if pick % 2:
            changes["political_status"] = rng.sample(STATUSES, 2)
        return {
            "action": "member.update",
            "type": "members.member",
            "id": pk,
            "label": label,
            "changes": changes,
        }
    if pick < 8:
        pk, label, _ = rng.choice(members)
        return {
            "action": "member.status_change",
            "type": "members.member",
            "id": pk,
            "label": label,
            "changes": {"political_status": rng.sample(STATUSES, 2), "changed_on": "2026-03-01"},
        }
    if pick < 10:
        org = rng.choice(orgs)
        return {
            "action": "member.export",
            "type": "",
            "id": "",
            "label": "党员名册导出",
            "changes": {
                "filters": {"unit": str(org.pk), "political_status": "full"},
                "count": rng.randrange(1, 2000),
            },
        }
    if pick < 12:
        org = rng.choice(orgs)
        return {
            "action": "org.update",
            "type": "orgs.org",
            "id": org.pk,
            "label": org.name,
            "changes": {"name": [org.name + "（旧）", org.name]},
        }
    if pick < 14:
        state = rng.choice(["submitted", "returned", "selected", "recommended"])
        return {
            "action": f"submission.{state}",
            "type": "campaigns.submission",
            "id": rng.randrange(1, 5000),
            "label": f"战疫故事 {n}",
            "changes": {"state": ["draft", state], "comment": "请补充图片"},
        }
    if pick < 15:
        return {
            "action": "roster.solved",
            "type": "rosters.roster",
            "id": rng.randrange(1, 50),
            "label": "第一阶段 · 计算机学院党委",
            "changes": {"score": 100.0, "bound": 100.0, "assignments": 320},
        }
    if pick < 17:
        return {
            "action": "duty.check_in",
            "type": "rosters.assignment",
            "id": rng.randrange(1, 9999),
            "label": "值班签到：校门值守岗 2026-03-01 早班",
            "changes": {},
        }
    if pick < 18:
        pk, _, _ = rng.choice(members)
        return {
            "action": "pledge.sign",
            "type": "duty.pledge",
            "id": 1,
            "label": "签署承诺书：党员疫情防控承诺书",
            "changes": {"member": f"M{pk}"},
        }
    if pick < 19:
        org = rng.choice(orgs)
        return {
            "action": "grant.create",
            "type": "access.grant",
            "id": n,
            "label": "授权",
            "changes": {"user": "zhibu", "org": org.name, "role": "branch_secretary"},
        }
    return {
        "action": "meeting.approve",
        "type": "orgs.org",
        "id": orgs[0].pk,
        "label": orgs[0].name,
        "changes": {"count": 3},
    }


def _seed() -> int:
    have = AuditEvent.objects.count()
    if have >= EVENTS:
        return have
    actors = [u.pk for u in _actors()]
    rng = random.Random(2020)
    members = [
        (pk, f"{name}（{number}）", phone or "13800000000")
        for pk, name, number, phone in Member.objects.order_by("pk").values_list(
            "pk", "name", "number", "phone"
        )[:5000]
    ]
    orgs = list(Org.objects.filter(depth__in=(2, 3)).order_by("path")[:400])
    now = timezone.now()
    rows = []
    for n in range(EVENTS - have):
        e = _event(rng, n, members, orgs)
        at = now - dt.timedelta(seconds=rng.randrange(365 * 24 * 3600))
        actor = None if e["action"] == "roster.solved" else rng.choice(actors)
        ip = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        rows.append(
            (
                actor,
                at,
                e["action"],
                e["type"],
                str(e["id"]),
                e["label"],
                json.dumps(e["changes"], ensure_ascii=False),
                ip,
            )
        )
    if connection.vendor == "postgresql":
        table = AuditEvent._meta.db_table
        columns = "actor_id, at, action, target_type, target_id, target_label, changes, ip"
        sql = f"COPY {table} ({columns}) FROM STDIN"
        with transaction.atomic(), connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)

    else:  # figures are not comparable; the rows all get today's time (auto_now_add)
        AuditEvent.objects.bulk_create(
            (
                AuditEvent(
                    actor_id=a,
                    action=ac,
                    target_type=t,
                    target_id=i,
                    target_label=lbl,
                    changes=json.loads(c),
                    ip=ip,
                )
                for a, _, ac, t, i, lbl, c, ip in rows
            ),
            batch_size=5000,
        )
    return AuditEvent.objects.count()


def _get(client: Client, url: str, params: dict[str, Any]) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(url, params)
    return (time.perf_counter() - started) * 1000, response.status_code


def run(*, repeat: int | None = None) -> list[Figure]:
    n = max(MIN_REPEAT, repeat or MIN_REPEAT)
    started = time.perf_counter()
    total = _seed()
    print(f"audit events: {total:,} (seeded in {time.perf_counter() - started:.1f} s)")
    if connection.vendor == "postgresql":
        # As autovacuum does after a bulk load: statistics, and the visibility map that lets a
        # deep page skip index entries without visiting rows.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {AuditEvent._meta.db_table}")
    school_admin = get_user_model().objects.get(username="bench_school")
    client = Client()
    client.force_login(school_admin)
    url = reverse("audit_list")
    since = (timezone.localdate() - dt.timedelta(days=90)).isoformat()
    middle = total // 2
    at, pk = AuditEvent.objects.order_by("-at", "-id").values_list("at", "id")[middle]
    cases = [
        ("first page", {}),
        ("filtered (member., 90 days)", {"action": "member.", "since": since}),
        (f"deep page (after {middle:,})", {"before": str(Cursor(at, pk))}),
    ]
    statuses: set[int] = set()
    medians: list[float] = []
    p95s: list[float] = []
    for label, params in cases:
        for _ in range(WARM_UP):
            _get(client, url, params)
        settle_heap()
        rows = client.get(url, params).content.decode().count('class="audit-sentence')
        print(f"{label}: {rows} rows")
        times = []
        for _ in range(n):
            ms, status = _get(client, url, params)
            times.append(ms)
            statuses.add(status)
        medians.append(median(times))
        p95s.append(p95(times))
        print(f"{label:<30} median {medians[-1]:7.1f} ms   p95 {p95s[-1]:7.1f} ms   (n={n})")

    counts = {}
    for per_page in (50, 200):
        params = {"per_page": per_page, "before": str(Cursor(at, pk))}
        _get(client, url, params)
        with CaptureQueriesContext(connection) as queries:
            _, status = _get(client, url, params)
        statuses.add(status)
        counts[per_page] = len(queries)
        print(f"queries at {per_page} per page: {counts[per_page]}")
    html = client.get(url).content.decode()
    first = re.search(r'class="audit-sentence[^"]*">([^<]*)<', html)
    print(f"first line: {unescape(first.group(1)) if first else '(none)'}")
    if statuses != {200}:
        print(f"WARNING: the audit log answered {sorted(statuses)}, not only 200")
    return [
        Figure("audit_list_p95_ms", max(p95s), "ms", "≤ 150 (issue 7; worst of 3 cases)"),
        Figure("audit_list_median_ms", max(medians), "ms", "worst of 3 cases"),
        Figure("audit_list_queries", counts[50], "queries", "fixed: same at 50 and 200 per page"),
        Figure("audit_list_queries_200", counts[200], "queries", "= audit_list_queries"),
    ]
