"""Pages for the member import: upload, template download, preview, apply."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from access.http import AuthedRequest
from access.scope import Perm, require_anywhere
from audit.once import submit_token_claim, submit_token_done, submit_token_replay
from lib.xlsx import XLSX_CONTENT_TYPE, XlsxError
from members.forms_import import ImportUploadForm
from members.imports import import_batch_apply, import_batch_create
from members.models import ImportBatch
from members.spreadsheets import errors_xlsx, template_xlsx
from uploads.serving import attachment_response, download_name

ERRORS_PER_PAGE = 500


@login_required
def import_upload(request: AuthedRequest) -> HttpResponse:
    require_anywhere(request.user, Perm.MEMBER_IMPORT)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = import_batch_create(
                actor=request.user, filename=upload.name, data=upload.read()
            )
        except XlsxError as e:
            form.add_error("file", str(e))
        else:
            return redirect("member_import_preview", batch.pk)
    mine = ImportBatch.objects.filter(created_by=request.user)
    batches = mine.defer("packed_rows", "errors")[:10]
    return render(request, "members/import_upload.html", {"form": form, "batches": batches})


@login_required
def import_template(request: AuthedRequest) -> HttpResponse:
    require_anywhere(request.user, Perm.MEMBER_IMPORT)
    return attachment_response(template_xlsx(), "党员导入模板.xlsx", XLSX_CONTENT_TYPE)


def _own_batch(request: AuthedRequest, pk: int) -> ImportBatch:
    require_anywhere(request.user, Perm.MEMBER_IMPORT)
    return get_object_or_404(ImportBatch, pk=pk, created_by=request.user)


@login_required
def import_preview(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = _own_batch(request, pk)
    errors = Paginator(batch.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    total = sum(1 for row in batch.rows if row.get("sheet") != "组织")
    context = {
        "batch": batch,
        "errors": errors,
        "error_rows": len({(e["sheet"], e["row"]) for e in batch.errors}),
        "member_total": total,
        "unchanged_count": max(total - batch.create_count - batch.update_count, 0),
        "can_apply": batch.state == ImportBatch.State.PREVIEW and not batch.errors,
    }
    return render(request, "members/import_preview.html", context)


@login_required
def import_errors(request: AuthedRequest, pk: int) -> HttpResponse:
    """Every problem of an upload as .xlsx (the page shows them 500 at a time)."""
    batch = _own_batch(request, pk)
    if not batch.errors:
        raise Http404
    data = errors_xlsx(batch.errors, filename=batch.filename)
    stem = batch.filename.rsplit(".", 1)[0]
    return attachment_response(
        data, download_name("导入错误清单", stem, ext="xlsx"), XLSX_CONTENT_TYPE
    )


@login_required
@require_POST
def import_apply(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = _own_batch(request, pk)
    if replay := submit_token_replay(request):
        return replay  # a double click: the first POST's result
    done_url = reverse("member_list")
    try:
        with transaction.atomic():
            claim = submit_token_claim(request)
            if isinstance(claim, HttpResponse):
                return claim
            batch = import_batch_apply(actor=request.user, batch=batch)
            submit_token_done(claim, done_url)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("member_import_preview", batch.pk)
    messages.success(request, f"已导入：新增 {batch.create_count} 人，更新 {batch.update_count} 人")
    return redirect(done_url)
