"""Notices: a digest of 500 notices to two group robots (钉钉, signed; 企业微信) on a webhook
receiver on loopback, within the robots' rate limit, counting what arrived.

As bench_school (组织部, on the root) receives 500 notices, each with its own number, both
robots of the root org get a delivery for each: 1,000 deliveries. The delivery runs as the
worker runs it (`notices.delivery.deliver_due`, then again when the next message is due,
sleeping until then), against `notices.tests.receiver.Receiver`, an HTTP server in a thread
that checks 钉钉's signature. We report the notices that never arrived (by number, per robot),
the time from the first delivery run to the last message, the messages posted, and the most
messages one robot received in any minute (the limit is 20). The titles are long enough that
the 企业微信 robot (2,000 bytes a message) needs more than 20 messages: the delivery time
includes the wait for its second minute.
"""

import re
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from access.models import Grant
from bench import Figure
from notices import delivery
from notices.models import Delivery, DeliveryState, RobotKind, RobotWebhook
from notices.services import notify
from notices.tests.receiver import Receiver

NOTICES = 500
SECRET = "SECbench0123456789abcdef"
TITLE = "基准通知 {i:04d}：第{branch}党支部本月支部委员会尚未完成，请于月底前召开"
NUMBER = re.compile(r"基准通知 (\d{4})")
GIVE_UP_S = 170


def _most_in_a_minute(times: list[float]) -> int:
    times = sorted(times)
    most, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= 60:
            start += 1
        most = max(most, end - start + 1)
    return most


def run(*, repeat: int | None = None) -> list[Figure]:
    user: Any = get_user_model().objects.get(username="bench_school")
    root = Grant.objects.filter(user=user).select_related("org").first()
    assert root is not None
    with Receiver(secret=SECRET) as receiver:
        RobotWebhook.objects.filter(org=root.org).update(active=False)
        hooks = [
            RobotWebhook.objects.create(
                org=root.org,
                kind=RobotKind.DINGTALK,
                name="基准钉钉群",
                url=receiver.dingtalk_url(),
                secret=SECRET,
            ),
            RobotWebhook.objects.create(
                org=root.org, kind=RobotKind.WECOM, name="基准企业微信群", url=receiver.wecom_url()
            ),
        ]
        started = time.perf_counter()
        for i in range(NOTICES):
            notify(
                user_ids=[user.pk],
                kind="bench.notice",
                # a title of a real notice's length: the 企业微信 robot needs more than 20
                # messages for them all, so the second minute's are held back
                title=TITLE.format(i=i, branch=i % 400 + 1),
                body="请核对本支部党员健康信息",
                url="/notices/",
            )
        stored = time.perf_counter() - started
        started = time.perf_counter()
        runs = 0
        while time.perf_counter() - started < GIVE_UP_S:
            out = delivery.deliver_due()
            runs += 1
            if out.next_at is None:
                break
            time.sleep(max(0.0, (out.next_at - timezone.now()).total_seconds()) + 0.05)
        delivered_s = time.perf_counter() - started
        by_path: dict[str, set[str]] = {}
        times: dict[str, list[float]] = {}
        for message in receiver.received:
            by_path.setdefault(message.path, set()).update(NUMBER.findall(message.text))
            times.setdefault(message.path, []).append(message.at)
        refused = len(receiver.refused)
    lost = sum(
        NOTICES - len(by_path.get(path, set())) for path in ("/robot/send", "/cgi-bin/webhook/send")
    )
    pending = Delivery.objects.filter(webhook__in=hooks).exclude(state=DeliveryState.SENT).count()
    posts = len(receiver.received)
    most = max(_most_in_a_minute(t) for t in times.values()) if times else 0
    for hook in hooks:
        hook.active = False
        hook.save(update_fields=["active"])
    print(
        f"{NOTICES} notices stored in {stored:.2f} s; delivered to 2 robots in {delivered_s:.2f} s "
        f"({runs} runs): {posts} messages, most in a minute {most}, lost {lost}, "
        f"not sent {pending}, refused signatures {refused}"
    )
    return [
        Figure("notice_lost", lost, "notices", "= 0 (issue 10)"),
        Figure("notice_delivery_s", delivered_s, "s"),
        Figure("notice_robot_messages", posts, "messages"),
        Figure("notice_most_per_minute", most, "messages", "≤ 20"),
    ]
