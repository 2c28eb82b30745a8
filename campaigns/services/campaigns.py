"""Campaigns, their deliverables, and a unit's summary for a deliverable."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.services import audit_record, diff_fields, field_changes
from campaigns.models import (
    Campaign,
    Deliverable,
    MaterialType,
    UnitSummary,
)
from orgs.models import Org

# --- campaigns and deliverables ------------------------------------------------------------


@transaction.atomic
def campaign_create(
    *, actor: Any, org: Org, name: str, year: int, description: str = ""
) -> Campaign:
    campaign = Campaign(org=org, name=name, year=year, description=description, created_by=actor)
    campaign.full_clean()
    campaign.save()
    audit_record(
        actor=actor,
        action="campaign.create",
        target=campaign,
        changes=diff_fields({}, {"name": name, "year": year}),
    )
    return campaign


@transaction.atomic
def campaign_update(*, actor: Any, campaign: Campaign, **fields: Any) -> Campaign:
    before = {k: getattr(campaign, k) for k in fields}
    for k, v in fields.items():
        setattr(campaign, k, v)
    campaign.full_clean()
    changes = diff_fields(before, fields)
    if changes:
        campaign.save()
        audit_record(actor=actor, action="campaign.update", target=campaign, changes=changes)
    return campaign


def _check_deliverable(d: Deliverable) -> None:
    errors: dict[str, str] = {}
    valid = set(MaterialType.values)
    if not d.material_types:
        errors["material_types"] = "请至少选择一种允许的素材类型。"
    elif set(d.material_types) - valid:
        errors["material_types"] = "素材类型无效。"
    if d.quota is not None and d.quota < 1:
        errors["quota"] = "限报数量至少为 1，不限请留空。"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def deliverable_create(*, actor: Any, campaign: Campaign, **fields: Any) -> Deliverable:
    fields.setdefault("order", campaign.deliverables.count() + 1)
    deliverable = Deliverable(campaign=campaign, **fields)
    _check_deliverable(deliverable)
    deliverable.full_clean()
    deliverable.save()
    audit_record(
        actor=actor,
        action="deliverable.create",
        target=deliverable,
        changes=diff_fields({}, {k: v for k, v in fields.items() if v not in ("", None, [])}),
    )
    return deliverable


@transaction.atomic
def deliverable_update(*, actor: Any, deliverable: Deliverable, **fields: Any) -> Deliverable:
    before = {k: getattr(deliverable, k) for k in fields}
    for k, v in fields.items():
        setattr(deliverable, k, v)
    _check_deliverable(deliverable)
    deliverable.full_clean()
    changes = diff_fields(before, fields)
    if changes:
        deliverable.save()
        audit_record(actor=actor, action="deliverable.update", target=deliverable, changes=changes)
    return deliverable


@transaction.atomic
def unit_summary_save(*, actor: Any, deliverable: Deliverable, org: Org, text: str) -> UnitSummary:
    """The unit's summary (情况总结) that a deliverable such as 战疫故事汇 asks for."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": "请填写情况总结。"})
    before = UnitSummary.objects.select_for_update().filter(deliverable=deliverable, org=org)
    before_text = before.values_list("text", flat=True).first()
    summary, created = UnitSummary.objects.update_or_create(
        deliverable=deliverable, org=org, defaults={"text": text, "updated_by": actor}
    )
    changes = field_changes({"text": before_text}, summary, ["text"])
    if created or changes:
        audit_record(
            actor=actor,
            action="unit_summary.create" if created else "unit_summary.update",
            target=summary,
            changes=changes,
        )
    return summary
