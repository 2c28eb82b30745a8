"""Reads of campaigns and submissions, always scoped by the acting user, in a fixed number of
queries whatever the number of units, deliverables or submissions."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from access.scope import Perm
from campaigns.models import (
    COUNTED_STATES,
    Campaign,
    Deliverable,
    Reminder,
    Submission,
    SubmissionAuthor,
    SubmissionState,
    SubmittingLevel,
    UnitSummary,
)
from campaigns.scope import board_units_for_user, submissions_for_user
from lib.cn import normalize_text
from orgs.models import Org

UNIT_PATH_LEN = 2 * Org.steplen


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


@dataclass
class SubmissionFilters:
    q: str = ""
    campaign: int | None = None
    deliverable: int | None = None
    state: str = ""
    unit: int | None = None
    late: bool = False
    # The dashboard's filters: submissions that count against a quota, submitted in a range.
    counted: bool = False
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def submission_list(
    *, user: Any, filters: SubmissionFilters | None = None, perm: str = Perm.SUBMISSION_VIEW
) -> QuerySet[Submission]:
    """Submissions in the user's scope, newest first, with what a list row shows."""
    f = filters or SubmissionFilters()
    qs = submissions_for_user(user, perm).select_related(
        "org", "deliverable", "deliverable__campaign"
    )
    if f.q:
        text = normalize_text(f.q)
        qs = qs.filter(
            Q(title__icontains=text) | Q(summary__icontains=text) | Q(authors__name=text)
        ).distinct()
    if f.campaign:
        qs = qs.filter(deliverable__campaign_id=f.campaign)
    if f.deliverable:
        qs = qs.filter(deliverable_id=f.deliverable)
    if f.state:
        qs = qs.filter(state=f.state)
    if f.unit:
        unit = Org.objects.filter(pk=f.unit).only("path").first()
        qs = qs.filter(org__path__startswith=unit.path) if unit else qs.none()
    if f.late:
        qs = qs.filter(is_late=True)
    if f.counted:
        qs = qs.filter(state__in=COUNTED_STATES)
    if f.date_from:
        qs = qs.filter(submitted_at__gte=_day_start(f.date_from))
    if f.date_to:
        qs = qs.filter(submitted_at__lt=_day_start(f.date_to + dt.timedelta(days=1)))
    return qs.prefetch_related(
        Prefetch(
            "authors",
            queryset=SubmissionAuthor.objects.only("submission_id", "member_id", "name", "order"),
        )
    ).order_by("-updated_at", "-id")


def submission_detail(submission: Submission) -> dict[str, Any]:
    """Authors, files and the history of one submission (three queries)."""
    return {
        "authors": list(submission.authors.select_related("member")),
        "files": list(submission.files.all()),
        "events": list(submission.events.select_related("actor")),
    }


def deliverables_of(campaign: Campaign) -> list[Deliverable]:
    return list(campaign.deliverables.all())


def own_counts(*, user: Any, campaign: Campaign) -> dict[int, dict[str, int]]:
    """Per deliverable: how many of the user's visible submissions are drafts / counted."""
    rows = (
        submissions_for_user(user, Perm.SUBMISSION_EDIT)
        .filter(deliverable__campaign=campaign)
        .values("deliverable_id")
        .annotate(
            drafts=Count("id", filter=Q(state=SubmissionState.DRAFT)),
            counted=Count("id", filter=Q(state__in=COUNTED_STATES)),
        )
    )
    return {r["deliverable_id"]: {"drafts": r["drafts"], "counted": r["counted"]} for r in rows}


# --- the progress board ----------------------------------------------------------------------


@dataclass
class Cell:
    deliverable: Deliverable
    on_time: int = 0
    late: int = 0
    reminders: list[Reminder] = field(default_factory=list)
    has_summary: bool = False

    @property
    def submitted(self) -> int:
        return self.on_time + self.late

    @property
    def quota(self) -> int | None:
        d = self.deliverable
        return d.quota if d.submitting_level == SubmittingLevel.UNIT else None

    @property
    def status(self) -> str:
        """ok / partial / missing / open (not yet due, nothing in)."""
        if self.submitted:
            if self.quota is not None and self.submitted < self.quota:
                return "partial"
            return "late" if self.late and not self.on_time else "ok"
        return "missing" if self.deliverable.deadline < timezone.now() else "open"


@dataclass
class Row:
    unit: Org
    cells: list[Cell]

    @property
    def missing(self) -> int:
        return sum(1 for c in self.cells if c.status == "missing")


@dataclass
class Board:
    campaign: Campaign
    deliverables: list[Deliverable]
    rows: list[Row]
    now: dt.datetime

    def totals(self) -> list[dict[str, int]]:
        return [
            {
                "submitted": sum(r.cells[i].submitted for r in self.rows),
                "late": sum(r.cells[i].late for r in self.rows),
                "units_in": sum(1 for r in self.rows if r.cells[i].submitted),
                "missing": sum(1 for r in self.rows if r.cells[i].status == "missing"),
            }
            for i in range(len(self.deliverables))
        ]


def board(*, user: Any, campaign: Campaign) -> Board:
    """Units × deliverables: submitted / quota, on time / late, reminders. Five queries:
    deliverables, units, one aggregate over submissions, reminders, summaries."""
    deliverables = list(campaign.deliverables.all())
    units = list(board_units_for_user(user, campaign).only("id", "name", "path", "depth"))
    paths = [u.path for u in units]
    counts: dict[tuple[int, str], dict[str, int]] = {}
    if units and deliverables:
        unit_q = Q(unit_path__in=paths)
        rows = (
            Submission.objects.filter(deliverable__campaign=campaign, state__in=COUNTED_STATES)
            .annotate(unit_path=Substr("org__path", 1, UNIT_PATH_LEN))
            .filter(unit_q)
            .values("deliverable_id", "unit_path")
            .annotate(
                on_time=Count("id", filter=Q(is_late=False)),
                late=Count("id", filter=Q(is_late=True)),
            )
            .order_by()
        )
        counts = {
            (r["deliverable_id"], r["unit_path"]): {"on_time": r["on_time"], "late": r["late"]}
            for r in rows
        }
    by_unit = {u.pk: u for u in units}
    reminders: dict[tuple[int, int], list[Reminder]] = {}
    for reminder in Reminder.objects.filter(
        deliverable__campaign=campaign, org_id__in=list(by_unit)
    ).order_by("-sent_at"):
        reminders.setdefault((reminder.deliverable_id, reminder.org_id), []).append(reminder)
    needs_summary = [d.pk for d in deliverables if d.requires_summary]
    summaries = (
        set(
            UnitSummary.objects.filter(
                deliverable_id__in=needs_summary, org_id__in=list(by_unit)
            ).values_list("deliverable_id", "org_id")
        )
        if needs_summary
        else set()
    )
    rows_out = []
    for unit in units:
        cells = []
        for d in deliverables:
            c = counts.get((d.pk, unit.path), {})
            cells.append(
                Cell(
                    deliverable=d,
                    on_time=c.get("on_time", 0),
                    late=c.get("late", 0),
                    reminders=reminders.get((d.pk, unit.pk), []),
                    has_summary=(d.pk, unit.pk) in summaries,
                )
            )
        rows_out.append(Row(unit=unit, cells=cells))
    return Board(campaign=campaign, deliverables=deliverables, rows=rows_out, now=timezone.now())
