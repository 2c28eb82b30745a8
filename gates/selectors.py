"""Reads about gates, scoped by the acting user: figures per gate and hour, per campus and
day, fevers and visitors, the entries behind them. Each makes a fixed number of queries."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone

from gates.models import Device, Entry, Gate
from gates.scope import entries_for_user, manages_gates

# A gate whose devices have sent nothing for this long is quiet (the duty office's home page).
QUIET_AFTER = dt.timedelta(minutes=10)
# Only devices seen in the last half day count: a phone put away yesterday is not a worry.
ACTIVE_WITHIN = dt.timedelta(hours=12)


def _day_range(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time()))
    return start, start + dt.timedelta(days=1)


@dataclass
class EntryFilters:
    gate: Gate | None = None
    day: dt.date | None = None
    hour: int | None = None
    fever: bool = False
    visitors: bool = False


def entry_list(*, user: Any, filters: EntryFilters) -> QuerySet[Entry]:
    qs = entries_for_user(user).select_related("gate__campus", "member", "officer")
    if filters.gate is not None:
        qs = qs.filter(gate=filters.gate)
    if filters.day is not None:
        start, end = _day_range(filters.day)
        qs = qs.filter(at__gte=start, at__lt=end)
    if filters.hour is not None:
        qs = qs.annotate(hour=ExtractHour("at")).filter(hour=filters.hour)
    if filters.fever:
        qs = qs.filter(fever=True)
    if filters.visitors:
        qs = qs.filter(member__isnull=True)
    return qs.order_by("-at", "-id")


@dataclass
class DayFigures:
    day: dt.date
    gates: list[Gate]
    hours: list[int]
    # [[hour, gate index, count], …] for the heat map
    cells: list[list[int]]
    totals: dict[int, dict[str, int]]  # gate id → {"in", "out", "fever", "visitor"}
    total: dict[str, int]


def day_figures(*, user: Any, day: dt.date) -> DayFigures:
    gates = list(Gate.objects.select_related("campus").order_by("campus_id", "name"))
    if not manages_gates(user):
        gates = []
    start, end = _day_range(day)
    day_qs = entries_for_user(user).filter(at__gte=start, at__lt=end)
    index = {g.pk: i for i, g in enumerate(gates)}
    cells = [
        [row["hour"], index[row["gate_id"]], row["n"]]
        for row in day_qs.annotate(hour=ExtractHour("at"))
        .values("gate_id", "hour")
        .annotate(n=Count("id"))
        .order_by()
        if row["gate_id"] in index
    ]
    totals: dict[int, dict[str, int]] = {}
    for row in (
        day_qs.values("gate_id")
        .annotate(
            n_in=Count("id", filter=Q(direction="in")),
            n_out=Count("id", filter=Q(direction="out")),
            fever=Count("id", filter=Q(fever=True)),
            visitor=Count("id", filter=Q(member__isnull=True)),
        )
        .order_by()
    ):
        totals[row["gate_id"]] = {
            "in": row["n_in"],
            "out": row["n_out"],
            "fever": row["fever"],
            "visitor": row["visitor"],
        }
    empty = {"in": 0, "out": 0, "fever": 0, "visitor": 0}
    total = {k: sum(t[k] for t in totals.values()) for k in empty}
    for g in gates:
        g.totals = totals.get(g.pk, empty)  # type: ignore[attr-defined]
    return DayFigures(
        day=day, gates=gates, hours=list(range(24)), cells=cells, totals=totals, total=total
    )


def campus_days(*, user: Any, until: dt.date, days: int = 14) -> dict[str, Any]:
    """Entries per campus and day for the `days` days up to `until`: {"days": [...],
    "series": [{"name": campus, "data": [...], "fever": [...]}]}."""
    first = until - dt.timedelta(days=days - 1)
    start, _ = _day_range(first)
    _, end = _day_range(until)
    rows = (
        entries_for_user(user)
        .filter(at__gte=start, at__lt=end)
        .annotate(day=TruncDate("at"))
        .values("gate__campus__name", "day")
        .annotate(n=Count("id"), fever=Count("id", filter=Q(fever=True)))
        .order_by("gate__campus__name", "day")
    )
    labels = [first + dt.timedelta(days=i) for i in range(days)]
    series: dict[str, dict[str, list[int]]] = {}
    for row in rows:
        s = series.setdefault(row["gate__campus__name"], {"data": [0] * days, "fever": [0] * days})
        i = (row["day"] - first).days
        if 0 <= i < days:
            s["data"][i] = row["n"]
            s["fever"][i] = row["fever"]
    return {
        "days": [f"{d:%m-%d}" for d in labels],
        "series": [{"name": name, **v} for name, v in series.items()],
    }


def fevers_today(user: Any) -> QuerySet[Entry]:
    start, end = _day_range(timezone.localdate())
    return entries_for_user(user).filter(fever=True, at__gte=start, at__lt=end)


def quiet_gates(user: Any) -> list[Any]:
    """Gates whose devices (those seen in the last half day) have not synced for 10 minutes."""
    if not manages_gates(user):
        return []
    now = timezone.now()
    rows = (
        Device.objects.filter(last_sync_at__gte=now - ACTIVE_WITHIN)
        .values("gate_id", "gate__name", "gate__campus__name")
        .annotate(last=Max("last_sync_at"))
        .filter(last__lt=now - QUIET_AFTER)
        .order_by("last")
    )
    return list(rows)


def device_status(gates: list[Gate]) -> dict[int, Any]:
    """Per gate: the latest sync of its devices and how many entries wait on them."""
    rows = (
        Device.objects.filter(gate__in=gates)
        .values("gate_id")
        .annotate(last=Max("last_sync_at"), devices=Count("id"))
        .order_by()
    )
    return {r["gate_id"]: r for r in rows}
