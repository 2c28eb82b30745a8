"""What the public showcase may show, and nothing else: submissions in the state 已发布
(published: 战疫故事汇, 红色防火墙 deeds, and the rest), and the honours of rounds whose
final list is out. Only the fields chosen for publication are read — a title, a summary,
the org's name; an honour's name, branch and deeds — never numbers, phones or files."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from campaigns.models import DeliverableKind, Submission, SubmissionState
from honours.models import Nomination, NominationState


def published_submissions() -> QuerySet[Submission]:
    return (
        Submission.objects.filter(state=SubmissionState.PUBLISHED)
        .select_related("org", "deliverable")
        .only(
            "pk",
            "title",
            "summary",
            "topic",
            "updated_at",
            "org__name",
            "deliverable__kind",
            "deliverable__name",
        )
        .order_by("-updated_at", "-id")
    )


def published_honours() -> QuerySet[Nomination]:
    return (
        Nomination.objects.filter(state=NominationState.AWARDED, round__finalised_at__isnull=False)
        .select_related("round", "member__branch", "branch", "unit")
        .order_by("-round__finalised_at", "round_id", "id")
    )


@dataclass
class Item:
    """One line of the feed."""

    title: str
    summary: str
    url: str
    when: datetime
    category: str


def feed_items(limit: int = 30) -> list[Item]:
    from django.urls import reverse

    items = [
        Item(
            s.title,
            s.summary,
            reverse("showcase_submission", args=[s.pk]),
            s.updated_at,
            s.deliverable.name,
        )
        for s in published_submissions()[:limit]
    ]
    for h in published_honours()[:limit]:
        who = h.member.name if h.member else h.branch.name  # type: ignore[union-attr]
        items.append(
            Item(
                f"{who}获评{h.round.year}年度{h.round.title}",
                h.reason,
                reverse("showcase_honours") + f"#honour-{h.pk}",
                h.round.finalised_at,  # type: ignore[arg-type]
                "表彰",
            )
        )
    return sorted(items, key=lambda i: i.when, reverse=True)[:limit]


STORY, DEED = DeliverableKind.STORY, DeliverableKind.RED_FIREWALL


def sections() -> dict[str, Any]:
    subs = list(published_submissions()[:60])
    return {
        "stories": [s for s in subs if s.deliverable.kind == STORY][:12],
        "deeds": [s for s in subs if s.deliverable.kind == DEED][:12],
        "others": [s for s in subs if s.deliverable.kind not in (STORY, DEED)][:12],
        "honours": list(published_honours()[:12]),
    }
