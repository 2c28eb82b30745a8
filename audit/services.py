import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import models

from audit.context import request_ip
from audit.models import AuditEvent


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    label: str = "",
) -> AuditEvent:
    """Write one audit row. Called by every service that writes and every export."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=label or (str(target) if target is not None else ""),
        changes=changes or {},
        ip=request_ip.get(),
    )


def diff_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value changed, as JSON-safe strings."""
    return {
        key: [_plain(before.get(key)), _plain(value)]
        for key, value in after.items()
        if before.get(key) != value
    }


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The fields' current values, taken before an edit, for field_changes()."""
    return {name: getattr(obj, name) for name in fields}


def field_changes(
    before: models.Model | Mapping[str, Any] | None,
    after: models.Model | Mapping[str, Any],
    fields: Iterable[str],
) -> dict[str, list[Any]]:
    """{field: [old, new]} for those of `fields` whose value differs, ready for audit_record.

    `before` and `after` are model instances or snapshot() dicts; `before` is None for a new
    object (every field then changes from None). Related objects are kept by their name, dates
    in ISO form; the audit log shows them with the field's label and display value."""

    def value(source: models.Model | Mapping[str, Any] | None, name: str) -> Any:
        if source is None:
            return None
        if isinstance(source, Mapping):
            return source.get(name)
        return getattr(source, name)

    changes = {}
    for name in fields:
        old, new = _plain(value(before, name)), _plain(value(after, name))
        if old != new:
            changes[name] = [old, new]
    return changes


def _plain(value: Any) -> Any:
    """A JSON-safe value: names for objects, ISO text for dates, lists kept as lists."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(item) for item in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, dt.date | dt.time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)
