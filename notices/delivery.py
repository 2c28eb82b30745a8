"""Sending what `notify` queued: e-mails one by one, robot messages as digests.

Every channel is tried from the `Delivery` rows, never from memory, so a channel that is down
loses nothing: a failed try records its reason, waits (1, 2, 4 … minutes, at most an hour)
and is tried again, `MAX_ATTEMPTS` times before it is given up (the robot's page can send
those again). A robot gets at most `RATE_PER_MINUTE` messages in any minute (企业微信 and 钉钉
refuse more than about 20): what is due is packed into digests, as many notices as a message
holds, and the rest waits for the window to move on.

Each message is one transaction that locks its robot row (`skip_locked`: two workers never
post to one robot at once); the post comes before the commit, so a crash between them may
post a digest twice, never lose one.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Count, F, Min, Q
from django.utils import timezone

from notices.models import Channel, Delivery, DeliveryState, Notice, RobotPost, RobotWebhook
from notices.robots import MAX_BYTES, robot_post

RATE_PER_MINUTE = 20
WINDOW = dt.timedelta(minutes=1)
MAX_ATTEMPTS = 20
EMAIL_BATCH = 200
CHUNK = 5000  # ids per UPDATE (SQLite's limit on parameters)


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait after the `attempts`-th failure: 1, 2, 4 … minutes, at most an hour."""
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), dt.timedelta(hours=1))


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0
    posts: int = 0
    # When something still pending becomes due (None: nothing is pending).
    next_at: dt.datetime | None = None
    errors: list[str] = field(default_factory=list)


def _link(url: str) -> str:
    base = getattr(settings, "SITE_URL", "")
    return f"{base.rstrip('/')}{url}" if base and url.startswith("/") else url


def _fail(rows: list[Delivery], error: str, now: dt.datetime, *, final: bool = False) -> int:
    """Record a failed try on each row (`final`: no use trying again); return how many were
    given up."""
    given_up = 0
    for d in rows:
        d.attempts += 1
        d.last_error = error[:300]
        d.next_at = now + backoff(d.attempts)
        if d.attempts >= MAX_ATTEMPTS or final:
            d.state = DeliveryState.FAILED
            given_up += 1
    Delivery.objects.bulk_update(
        rows, ["attempts", "last_error", "next_at", "state"], batch_size=1000
    )
    return given_up


# --- e-mail ---------------------------------------------------------------------------------


def _email(notice: Notice) -> EmailMessage:
    subject = f"【{'紧急' if notice.urgent else '通知'}】{notice.title}"
    lines = [notice.body] if notice.body else []
    if notice.url:
        lines.append(f"查看：{_link(notice.url)}")
    lines.append(f"\n—— {settings.SITE_NAME}")
    return EmailMessage(subject, "\n\n".join(lines), None, [notice.recipient.email])


def send_emails(*, now: dt.datetime | None = None) -> Outcome:
    """Send the e-mails that are due, through one connection; each one's result recorded."""
    now = now or timezone.now()
    out = Outcome()
    with transaction.atomic():
        due = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(channel=Channel.EMAIL, state=DeliveryState.PENDING, next_at__lte=now)
            .select_related("notice", "notice__recipient")
            .order_by("next_at", "id")[:EMAIL_BATCH]
        )
        if not due:
            return out
        connection = get_connection(fail_silently=False)
        failed: dict[str, list[Delivery]] = {}
        no_address: list[Delivery] = []
        for d in due:
            if not d.notice.recipient.email:
                no_address.append(d)
                continue
            try:
                connection.send_messages([_email(d.notice)])
            except Exception as exc:
                failed.setdefault(f"邮件服务器拒绝或无法连接（{type(exc).__name__}）", []).append(d)
                continue
            d.state, d.sent_at, d.attempts = DeliveryState.SENT, timezone.now(), d.attempts + 1
            d.last_error = ""
            out.sent += 1
        connection.close()
        sent = [d for d in due if d.state == DeliveryState.SENT]
        Delivery.objects.bulk_update(sent, ["state", "sent_at", "attempts", "last_error"])
        for error, rows in failed.items():
            out.failed += _fail(rows, error, now)
            out.errors.append(error)
        if no_address:  # the address was removed since: trying again will not help
            out.failed += _fail(no_address, "账号没有邮箱地址", now, final=True)
    return out


# --- robots ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One line of a digest: a notice's title and link, with how many people it went to."""

    kind: str
    title: str
    url: str
    people: int = 1
    urgent: bool = False

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.title, self.url)

    @property
    def text(self) -> str:
        who = f"（{self.people} 人）" if self.people > 1 else ""
        mark = "【紧急】" if self.urgent else ""
        link = f" {_link(self.url)}" if self.url else ""
        return f"- {mark}{self.title}{who}{link}"


def digest(lines: list[Line], max_bytes: int) -> tuple[list[Line], str]:
    """The first digest out of `lines` (oldest first): the lines it carries and its text.
    A line is a notice's title and link, never its body: a group chat is not the recipient,
    and the details stay behind the site's login. Notices alike (same kind, title and link,
    to many people) are one line, however many there are."""
    taken: list[Line] = []
    texts: list[str] = []
    size = 0
    for line in lines:
        text = line.text
        cost = len(text.encode()) + 1
        if texts and size + cost > max_bytes:
            break
        if not texts and cost > max_bytes:  # one line alone too long: cut it
            text = text.encode()[: max_bytes - 4].decode(errors="ignore") + "…"
            cost = max_bytes
        texts.append(text)
        taken.append(line)
        size += cost
    return taken, "\n".join(texts)


# More lines than any message holds (the shortest line is a few bytes).
MAX_LINES = 2000


def _due_lines(hook: RobotWebhook, now: dt.datetime) -> list[Line]:
    """What is due for the robot as digest lines, oldest first (one grouped query)."""
    rows = (
        Delivery.objects.filter(webhook=hook, state=DeliveryState.PENDING, next_at__lte=now)
        .values("notice__kind", "notice__title", "notice__url")
        .annotate(
            people=Count("id"),
            urgent=Count("id", filter=Q(notice__urgent=True)),
            first=Min("id"),
        )
        .order_by("first")[:MAX_LINES]
    )
    return [
        Line(
            kind=r["notice__kind"],
            title=r["notice__title"],
            url=r["notice__url"],
            people=r["people"],
            urgent=r["urgent"] > 0,
        )
        for r in rows
    ]


def _carried(hook: RobotWebhook, now: dt.datetime, lines: list[Line]) -> list[Delivery]:
    """The due deliveries the lines stand for."""
    keys = {line.key for line in lines}
    rows = (
        Delivery.objects.filter(
            webhook=hook,
            state=DeliveryState.PENDING,
            next_at__lte=now,
            notice__title__in=list({line.title for line in lines}),
        )
        .select_related("notice")
        .only(
            "id",
            "attempts",
            "state",
            "last_error",
            "next_at",
            "notice__kind",
            "notice__title",
            "notice__url",
        )
    )
    return [d for d in rows if (d.notice.kind, d.notice.title, d.notice.url) in keys]


def _window(webhook_id: int, now: dt.datetime) -> tuple[int, dt.datetime | None]:
    """Messages posted to the robot in the last minute, and when the oldest leaves it."""
    recent = list(
        RobotPost.objects.filter(webhook_id=webhook_id, at__gt=now - WINDOW)
        .order_by("at")
        .values_list("at", flat=True)[:RATE_PER_MINUTE]
    )
    return len(recent), (recent[0] + WINDOW if recent else None)


def send_robot_message(webhook_id: int, *, now: dt.datetime | None = None) -> Outcome:
    """Post one digest of what is due to the robot, if its minute allows (one transaction)."""
    now = now or timezone.now()
    out = Outcome()
    with transaction.atomic():
        hook = (
            RobotWebhook.objects.select_for_update(skip_locked=True)
            .filter(pk=webhook_id, active=True)
            .first()
        )
        if hook is None:  # busy in another worker, or switched off
            return out
        used, frees_at = _window(hook.pk, now)
        if used >= RATE_PER_MINUTE:
            out.next_at = frees_at
            return out
        lines = _due_lines(hook, now)
        if not lines:
            return out
        taken, text = digest(lines, MAX_BYTES[hook.kind])
        carried = _carried(hook, now, taken)
        title = f"{settings.SITE_NAME}通知（{len(carried)} 条）"
        result = robot_post(
            kind=hook.kind, url=hook.url, secret=hook.secret, title=title, text=text
        )
        at = timezone.now()
        RobotPost.objects.create(
            webhook=hook, at=at, notices=len(carried), ok=result.ok, error=result.error
        )
        out.posts = 1
        if result.ok:
            ids = [d.pk for d in carried]
            for i in range(0, len(ids), CHUNK):
                Delivery.objects.filter(pk__in=ids[i : i + CHUNK]).update(
                    state=DeliveryState.SENT,
                    sent_at=at,
                    last_error="",
                    attempts=F("attempts") + 1,
                )
            out.sent = len(carried)
        else:
            out.failed = _fail(carried, result.error, now)
            out.errors.append(result.error)
    return out


def send_robots(*, now: dt.datetime | None = None, max_messages: int = 100) -> Outcome:
    """Post digests to every robot with something due, as far as each one's minute allows."""
    out = Outcome()
    for _ in range(max_messages):
        now_ = now or timezone.now()
        due = list(
            Delivery.objects.filter(
                channel=Channel.ROBOT,
                state=DeliveryState.PENDING,
                next_at__lte=now_,
                webhook__active=True,
            )
            .values_list("webhook_id", flat=True)
            .distinct()
            .order_by()
        )
        progressed = False
        for webhook_id in due:
            got = send_robot_message(webhook_id, now=now_)
            out.sent += got.sent
            out.failed += got.failed
            out.posts += got.posts
            out.errors += got.errors
            progressed = progressed or (got.posts > 0 and not got.errors)
            if got.next_at is not None:
                out.next_at = min(out.next_at or got.next_at, got.next_at)
        if not progressed:
            break
    return out


def next_due(*, after: dt.datetime) -> dt.datetime | None:
    """When the earliest pending delivery after `after` becomes due (None: none is)."""
    live = Q(webhook__isnull=True) | Q(webhook__active=True)
    return Delivery.objects.filter(live, state=DeliveryState.PENDING, next_at__gt=after).aggregate(
        at=Min("next_at")
    )["at"]


def deliver_due(*, now: dt.datetime | None = None) -> Outcome:
    """Everything due now: e-mails, then robot digests. Returns what happened and when to
    come back: the earliest retry, or the moment a full robot minute frees a message."""
    started = now or timezone.now()
    mail = send_emails(now=now)
    robots = send_robots(now=now)
    out = Outcome(
        sent=mail.sent + robots.sent,
        failed=mail.failed + robots.failed,
        posts=robots.posts,
        errors=mail.errors + robots.errors,
    )
    candidates = [t for t in (next_due(after=started), robots.next_at) if t is not None]
    if mail.sent + mail.failed >= EMAIL_BATCH:  # more e-mail waits behind this batch
        candidates.append(started)
    out.next_at = min(candidates) if candidates else None
    return out
