"""Every write of 典型选树: keyword-only, atomic, each writes its audit row and its event."""

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from access.scope import Perm, can
from audit.services import audit_record
from duty.models import Team, TeamKind
from members.models import Member
from orgs.models import Org
from rolemodels.models import RoleModel, RoleModelEvent, RoleModelFile, RoleModelState
from rolemodels.scope import step_for
from uploads.services import attach_uploads

S = RoleModelState
MAX_FILES = 20


def _event(rm: RoleModel, actor: Any, from_state: str, comment: str = "") -> None:
    RoleModelEvent.objects.create(
        role_model=rm, actor=actor, from_state=from_state, to_state=rm.state, comment=comment
    )


def _files_add(actor: Any, rm: RoleModel, upload_ids: list[str]) -> list[RoleModelFile]:
    return attach_uploads(
        user=actor,
        upload_ids=upload_ids,
        model=RoleModelFile,
        folder="rolemodels",
        limit=MAX_FILES,
        existing=rm.files.count(),
        too_many=f"每个推荐最多 {MAX_FILES} 个佐证材料。",
        role_model=rm,
    )


@transaction.atomic
def nominate(
    *,
    actor: Any,
    title: str,
    deeds: str,
    member: Member | None = None,
    team: Team | None = None,
    upload_ids: list[str] | None = None,
) -> RoleModel:
    """Nominate a member (from their branch) or a team (from the org that formed it)."""
    if (member is None) == (team is None):
        raise ValidationError("请选择一名党员或一支先锋队 / 突击队。")
    org: Org = member.branch if member is not None else team.org  # type: ignore[union-attr]
    if not can(actor, Perm.ROLE_MODEL_NOMINATE, org):
        raise PermissionDenied
    if org.depth < 2:
        raise ValidationError("请以单位或党支部的名义推荐。")
    if not title.strip() or not deeds.strip():
        raise ValidationError("请填写推荐称号和先进事迹。")
    rm = RoleModel.objects.create(
        org=org,
        member=member,
        team=team,
        title=title.strip(),
        deeds=deeds.strip(),
        created_by=actor,
    )
    _files_add(actor, rm, upload_ids or [])
    _event(rm, actor, "")
    audit_record(actor=actor, action="role_model.nominate", target=rm)
    return rm


def _step(actor: Any, rm: RoleModel) -> str:
    step = step_for(actor, rm)
    if step is None:
        raise PermissionDenied
    return step


@transaction.atomic
def approve(*, actor: Any, role_model: RoleModel, comment: str = "") -> RoleModel:
    """The unit's approval, or 组织部's, which publishes."""
    rm = RoleModel.objects.select_for_update().select_related("org").get(pk=role_model.pk)
    step = _step(actor, rm)
    before = rm.state
    if step == "unit":
        rm.state = S.UNIT_APPROVED
        rm.save(update_fields=["state"])
    else:
        rm.state, rm.published, rm.published_at = S.PUBLISHED, True, timezone.now()
        rm.save(update_fields=["state", "published", "published_at"])
    _event(rm, actor, before, comment.strip())
    audit_record(
        actor=actor, action="role_model.approve", target=rm, changes={"state": [before, rm.state]}
    )
    role_model.refresh_from_db()
    return rm


@transaction.atomic
def give_back(*, actor: Any, role_model: RoleModel, reason: str) -> RoleModel:
    """Return the nomination with a reason, at either step."""
    rm = RoleModel.objects.select_for_update().select_related("org").get(pk=role_model.pk)
    _step(actor, rm)
    if not reason.strip():
        raise ValidationError("退回须填写原因。")
    before = rm.state
    rm.state = S.RETURNED
    rm.save(update_fields=["state"])
    _event(rm, actor, before, reason.strip())
    audit_record(actor=actor, action="role_model.return", target=rm, changes={"reason": reason})
    role_model.refresh_from_db()
    return rm


@transaction.atomic
def renominate(*, actor: Any, role_model: RoleModel, title: str, deeds: str) -> RoleModel:
    rm = RoleModel.objects.select_for_update().select_related("org").get(pk=role_model.pk)
    if not can(actor, Perm.ROLE_MODEL_NOMINATE, rm.org):
        raise PermissionDenied
    if rm.state != S.RETURNED:
        raise ValidationError("只有被退回的推荐可以修改后重新推荐。")
    if not title.strip() or not deeds.strip():
        raise ValidationError("请填写推荐称号和先进事迹。")
    rm.title, rm.deeds, rm.state = title.strip(), deeds.strip(), S.NOMINATED
    rm.save(update_fields=["title", "deeds", "state"])
    _event(rm, actor, S.RETURNED)
    audit_record(actor=actor, action="role_model.renominate", target=rm)
    role_model.refresh_from_db()
    return rm


def submitting_org(rm: RoleModel, deliverable: Any) -> Org:
    """Who hands the 红色防火墙 in: the nominating branch, or its unit, as the deliverable asks."""
    from campaigns.models import SubmittingLevel

    if deliverable.submitting_level == SubmittingLevel.UNIT:
        return Org.objects.get(path=rm.org.path[: 2 * Org.steplen])
    return rm.org


@transaction.atomic
def report_upward(*, actor: Any, role_model: RoleModel, deliverable: Any) -> Any:
    """A published role model as a draft 「红色防火墙」 submission (through the campaigns
    service), with its evidence files; handed in on the submission's page."""
    from campaigns import services as campaign_services
    from campaigns.models import DeliverableKind

    rm = (
        RoleModel.objects.select_for_update(of=("self",))
        .select_related("org", "member", "team")
        .get(pk=role_model.pk)
    )
    if deliverable.kind != DeliverableKind.RED_FIREWALL:
        raise ValidationError("请选择「红色防火墙」任务项。")
    if not rm.published:
        raise ValidationError("组织部审核发布后才能上报。")
    if rm.submission_id is not None:
        raise ValidationError("已上报过。")
    org = submitting_org(rm, deliverable)
    if not can(actor, Perm.SUBMISSION_EDIT, org):
        raise PermissionDenied
    subkind = "突击队" if rm.team is not None else "先锋岗"
    if subkind not in (deliverable.subkinds or []):
        subkind = ""
    authors = []
    if rm.member is not None:
        authors = [campaign_services.AuthorIn(member=rm.member)]
    elif rm.team is not None:
        kind = TeamKind(rm.team.kind).label
        authors = [campaign_services.AuthorIn(name=f"{rm.team.name}（{kind}）")]
    submission = campaign_services.submission_create(
        actor=actor,
        deliverable=deliverable,
        org=org,
        title=f"{rm.nominee}：{rm.title}",
        summary=rm.deeds,
        subkind=subkind,
        authors=authors,
    )
    files = list(rm.files.all())
    refused: list[tuple[str, str]] = []
    if files:
        result = campaign_services.submission_attach(
            actor=actor,
            submission=submission,
            incoming=[
                campaign_services.incoming_from_path(Path(f.file.path), f.original_name)
                for f in files
            ],
        )
        refused = result.refused
    rm.submission = submission
    rm.save(update_fields=["submission"])
    audit_record(
        actor=actor,
        action="role_model.report",
        target=rm,
        changes={"submission": submission.pk, "refused": [n for n, _ in refused]},
    )
    return submission
