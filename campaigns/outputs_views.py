"""A campaign's outputs: the 案例集 (.docx) and the upward package (.zip), and the page on which
another installation imports such a package. Every export and import is audited.

Who: the outputs page and the 案例集 need CAMPAIGN_MANAGE or SUBMISSION_REVIEW over the
campaign's org; the upward package and the import need CAMPAIGN_MANAGE. What: the campaign's
submissions in LIBRARY_STATES (择优, 已推荐, 已发布) inside the subtrees where the user holds
those permissions — or the ones ticked on the page.
"""

import datetime as dt
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from access.http import AuthedRequest
from access.scope import Perm, can, paths_with, require_anywhere
from audit.once import submit_token_claim, submit_token_done, submit_token_replay
from audit.services import audit_record
from campaigns import casebook, package
from campaigns.models import (
    Campaign,
    Deliverable,
    Submission,
    SubmissionState,
)
from campaigns.scope import (
    campaigns_for_user,
    get_campaign_for_outputs,
    output_submissions,
)
from lib.params import parse_ids
from orgs.models import Org
from uploads.serving import attachment_response, download_name

STAGING_DIR = "package_staging"
STAGING_MAX_AGE_S = 24 * 3600


def _unit_names() -> dict[str, str]:
    return dict(Org.objects.filter(depth=2).values_list("path", "name"))


def _chosen(request: AuthedRequest, items: QuerySet[Submission]) -> QuerySet[Submission]:
    """The ticked submissions (`s`), or all of them when none is named."""
    ids = parse_ids(request.GET.getlist("s"))
    if ids:
        items = items.filter(pk__in=ids)
    if request.GET.get("only") == "recommended":
        items = items.filter(state=SubmissionState.RECOMMENDED)
    return items


def _stamp() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M")


@login_required
def campaign_outputs(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    campaign = get_campaign_for_outputs(user, pk)
    items = list(output_submissions(user, campaign))
    unit_names = _unit_names()
    rows = [
        {
            "s": s,
            "unit": unit_names.get(s.org.unit_path(), s.org.name),
            "authors": "、".join(a.name for a in s.authors.all()),
            "pictures": sum(1 for f in s.files.all() if f.material_type == "picture"),
            "files": len(s.files.all()),
        }
        for s in items
    ]
    return render(
        request,
        "campaigns/outputs.html",
        {
            "campaign": campaign,
            "rows": rows,
            "recommended": sum(1 for s in items if s.state == SubmissionState.RECOMMENDED),
            "can_package": can(user, Perm.CAMPAIGN_MANAGE, campaign.org),
        },
    )


@login_required
def campaign_casebook(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    campaign = get_campaign_for_outputs(user, pk)
    items = list(_chosen(request, output_submissions(user, campaign)))
    data = casebook.casebook_docx(
        campaign_name=campaign.name,
        school_name=package.school_name(),
        cases=casebook.cases_from(items, _unit_names()),
    )
    audit_record(
        actor=user,
        action="campaign.casebook_export",
        target=campaign,
        label=f"案例集导出：{campaign.name}",
        changes={"submissions": [s.pk for s in items]},
    )
    return attachment_response(
        data,
        download_name("案例集", campaign.name, _stamp(), ext="docx"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


@login_required
def campaign_package(request: AuthedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    perms = (Perm.CAMPAIGN_MANAGE,)
    campaign = get_campaign_for_outputs(user, pk, perms)
    items = list(_chosen(request, output_submissions(user, campaign, perms)))
    out = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it, which deletes it)
    manifest = package.package_export(
        campaign=campaign, submissions=items, unit_names=_unit_names(), out=out
    )
    audit_record(
        actor=user,
        action="campaign.package_export",
        target=campaign,
        label=f"上报包导出：{campaign.name}",
        changes={
            "submissions": [s.pk for s in items],
            "files": sum(len(s["files"]) for s in manifest["submissions"]),
        },
    )
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        filename=download_name("上报包", campaign.name, _stamp(), ext="zip"),
        content_type="application/zip",
    )


# --- import -----------------------------------------------------------------------------


def _staging_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / STAGING_DIR
    path.mkdir(parents=True, exist_ok=True)
    return path


def _staging_path(user: Any, token: str) -> Path | None:
    """The staged upload of this user named by `token`, if it exists."""
    try:
        token = str(uuid.UUID(token))
    except (ValueError, TypeError):
        return None
    path = _staging_dir() / f"{user.pk}-{token}.zip"
    return path if path.exists() else None


def _staging_sweep() -> None:
    """Drop staged packages nobody applied within a day."""
    cutoff = time.time() - STAGING_MAX_AGE_S
    for path in _staging_dir().glob("*.zip"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue


def _importable_campaigns(user: Any) -> list[Campaign]:
    return [c for c in campaigns_for_user(user) if can(user, Perm.CAMPAIGN_MANAGE, c.org)]


def _sender_choices(user: Any, campaign: Campaign) -> QuerySet[Org]:
    roots = paths_with(user, Perm.CAMPAIGN_MANAGE)
    q = Q(pk__in=[])
    for root in roots:
        q |= Q(path__startswith=root)
    return Org.objects.filter(q, depth=2, path__startswith=campaign.org.path[: Org.steplen])


def _preview_context(
    user: Any, token: str, campaign: Campaign, pkg: package.Package
) -> dict[str, Any]:
    mapping = package.default_mapping(pkg, campaign)
    counts: dict[str, int] = {}
    for s in pkg.submissions:
        counts[s.deliverable_uuid] = counts.get(s.deliverable_uuid, 0) + 1
    done = package.already_imported(pkg)
    sender_name = pkg.school_name or "来源单位"
    return {
        "token": token,
        "campaign": campaign,
        "pkg": pkg,
        "targets": list(campaign.deliverables.order_by("order", "id")),
        "rows": [
            {
                "d": d,
                "kind": package.kind_label(d.kind),
                "count": counts.get(d.uuid, 0),
                "target": mapping.get(d.uuid),
            }
            for d in pkg.deliverables
        ],
        "duplicates": len(done),
        "new": len(pkg.submissions) - len(done),
        "sender_name": sender_name,
        "sender_existing": _sender_choices(user, campaign).filter(name=sender_name).first(),
        "senders": _sender_choices(user, campaign).order_by("path"),
        "states": [(s.value, s.label) for s in package.IMPORT_STATES],
    }


@login_required
@csrf_exempt  # the body's size is judged before anything reads it; CSRF is checked next
def package_import(request: AuthedRequest) -> HttpResponse:
    """Step 1: upload a package and pick the campaign (checked whole, then a preview).
    Step 2 (step=apply): map deliverables, pick the sending org and the state, import.

    A package over package.MAX_PACKAGE_BYTES is refused from its Content-Length, before the
    upload is read (and spooled to disk) at all."""
    require_anywhere(request.user, Perm.CAMPAIGN_MANAGE)
    if request.method == "POST":
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if reason := package.package_too_large(length):
            context = {"campaigns": _importable_campaigns(request.user), "error": reason}
            return render(request, "campaigns/outputs_import.html", context, status=413)
    return _package_import(request)


@csrf_protect
def _package_import(request: AuthedRequest) -> HttpResponse:
    user = request.user
    campaigns = _importable_campaigns(user)
    context: dict[str, Any] = {"campaigns": campaigns, "error": ""}
    if request.method != "POST":
        _staging_sweep()
        return render(request, "campaigns/outputs_import.html", context)

    def chosen_campaign(value: str | None) -> Campaign | None:
        return next((c for c in campaigns if str(c.pk) == value), None)

    if request.POST.get("step") != "apply":
        campaign = chosen_campaign(request.POST.get("campaign"))
        upload = request.FILES.get("package")
        if campaign is None or upload is None:
            context["error"] = "请选择上报包文件和要导入的活动。"
            return render(request, "campaigns/outputs_import.html", context, status=400)
        if reason := package.package_too_large(upload.size or 0):
            context["error"] = reason
            return render(request, "campaigns/outputs_import.html", context, status=413)
        token = str(uuid.uuid4())
        staged = _staging_dir() / f"{user.pk}-{token}.zip"
        with open(staged, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        try:
            pkg = package.package_read(staged)
        except package.PackageError as e:
            staged.unlink(missing_ok=True)
            context["error"] = str(e)
            return render(request, "campaigns/outputs_import.html", context, status=400)
        return render(
            request,
            "campaigns/outputs_import_preview.html",
            _preview_context(user, token, campaign, pkg),
        )

    # step 2: apply
    if replay := submit_token_replay(request):
        return replay
    campaign = chosen_campaign(request.POST.get("campaign"))
    token = request.POST.get("token", "")
    staging = _staging_path(user, token)
    if campaign is None or staging is None:
        context["error"] = "上传的上报包已失效，请重新上传。"
        return render(request, "campaigns/outputs_import.html", context, status=400)
    try:
        staged = staging
        pkg = package.package_read(staged, check_files=False)
    except package.PackageError as e:
        staged.unlink(missing_ok=True)
        context["error"] = str(e)
        return render(request, "campaigns/outputs_import.html", context, status=400)
    targets = {str(d.pk): d for d in campaign.deliverables.all()}
    mapping: dict[str, Deliverable | None] = {
        d.uuid: targets.get(request.POST.get(f"map_{d.uuid}", "")) for d in pkg.deliverables
    }
    sender: Org | None = None
    if request.POST.get("sender", "auto") != "auto":
        sender = _sender_choices(user, campaign).filter(pk=request.POST.get("sender")).first()
        if sender is None:
            context["error"] = "请选择代表来源学校的组织。"
            return render(request, "campaigns/outputs_import.html", context, status=400)
    state = request.POST.get("state", SubmissionState.SUBMITTED)
    try:
        with transaction.atomic():
            claim = submit_token_claim(request)
            if isinstance(claim, HttpResponse):
                return claim
            result = package.package_import(
                actor=user,
                source=staged,
                campaign=campaign,
                mapping=mapping,
                sender=sender,
                state=state,
            )
            url = reverse("campaign_detail", args=[campaign.pk])
            submit_token_done(claim, url)
    except package.PackageError as e:
        staged.unlink(missing_ok=True)
        context["error"] = str(e)
        return render(request, "campaigns/outputs_import.html", context, status=400)
    staged.unlink(missing_ok=True)
    parts = [f"已导入 {len(result.created)} 条报送"]
    if result.sender is not None:
        parts.append(f"归入「{result.sender.name}」")
    if result.skipped:
        parts.append(f"{len(result.skipped)} 条此前已导入，未重复导入")
    if result.not_mapped:
        parts.append(f"{len(result.not_mapped)} 条所属任务项未选择对应项，未导入")
    messages.success(request, "，".join(parts) + "。")
    return redirect(url)
