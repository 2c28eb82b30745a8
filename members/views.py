import copy
import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from access.http import AuthedRequest
from access.scope import (
    Masker,
    Perm,
    branches_for_user,
    get_member_for_user,
    has_perm_anywhere,
    may_edit_fully,
    orgs_for_user,
    require_anywhere,
)
from audit.once import submit_once, submit_token_replay
from audit.services import audit_record
from lib.params import parse_id
from lib.xlsx import XLSX_CONTENT_TYPE
from members import selectors, services
from members.forms import (
    MemberCreateForm,
    MemberForm,
    MoveForm,
    SelfMemberForm,
    StatusChangeForm,
    WhereaboutsChangeForm,
)
from members.models import CadreRank, Category, PoliticalStatus, Whereabouts
from members.paging import EstimatingPaginator
from members.spreadsheets import members_xlsx
from orgs.models import Campus, Org
from uploads.serving import attachment_response, download_name

PAGE_SIZES = (20, 50, 100, 200)
# The branch filter lists branches only up to this many (a university has ~400; a province
# has 6,000, and then it lists those of the chosen unit and asks for a unit first).
BRANCH_OPTIONS_MAX = 500
FILTER_KEYS = (
    "q",
    "unit",
    "branch",
    "political_status",
    "category",
    "cadre_rank",
    "cadre_only",
    "campus",
    "whereabouts",
    "sort",
)


def filters_from(params: Any) -> selectors.MemberFilters:
    return selectors.MemberFilters(
        q=params.get("q", "").strip(),
        unit=parse_id(params.get("unit")),
        branch=parse_id(params.get("branch")),
        political_status=params.get("political_status", ""),
        category=params.get("category", ""),
        cadre_rank=params.get("cadre_rank", ""),
        cadre_only=params.get("cadre_only") == "1",
        campus=parse_id(params.get("campus")),
        whereabouts=params.get("whereabouts", ""),
        sort=params.get("sort", "number"),
    )


def _rows(members: Any, user: Any, unit_names: dict[str, str]) -> list[dict[str, Any]]:
    masker = Masker(user)
    return [
        {
            "m": m,
            "unit": unit_names.get(m.branch.unit_path(), ""),
            "phone": masker.phone(m, m.branch.path),
        }
        for m in members
    ]


@login_required
def member_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.MEMBER_VIEW)
    filters = filters_from(request.GET)
    per_page = parse_id(request.GET.get("per_page")) or 50
    per_page = per_page if per_page in PAGE_SIZES else 50
    members = selectors.member_list(user=user, filters=filters)
    page = EstimatingPaginator(members, per_page).get_page(request.GET.get("page"))
    visible_orgs = orgs_for_user(user, Perm.MEMBER_VIEW)
    units = list(visible_orgs.filter(depth=2).order_by("path").values_list("pk", "name", "path"))
    # Labels for the rows shown: every unit's name (a branch secretary sees no unit node).
    unit_names = selectors.unit_names(Org.objects.all())
    branches = visible_orgs.branches().order_by("path")
    if filters.unit:
        unit_path = next((p for pk, _, p in units if pk == filters.unit), None)
        branches = branches.filter(path__startswith=unit_path) if unit_path else branches.none()
    branch_options = list(branches.values_list("pk", "name")[: BRANCH_OPTIONS_MAX + 1])
    too_many_branches = len(branch_options) > BRANCH_OPTIONS_MAX
    if too_many_branches:
        # Only the chosen branch (if it is one the user sees): pick a unit to list its branches.
        branch_options = [o for o in branch_options if o[0] == filters.branch]
        if filters.branch and not branch_options:
            branch_options = list(branches.filter(pk=filters.branch).values_list("pk", "name"))
    params = {k: request.GET[k] for k in (*FILTER_KEYS, "per_page") if request.GET.get(k)}
    context = {
        "page": page,
        "rows": _rows(page.object_list, user, unit_names),
        "filters": filters,
        "units": [(pk, name) for pk, name, _ in units],
        "branches": branch_options,
        "too_many_branches": too_many_branches,
        "campuses": Campus.objects.values_list("pk", "name"),
        "statuses": PoliticalStatus.choices,
        "categories": Category.choices,
        "ranks": [c for c in CadreRank.choices if c[0]],
        "whereabouts_choices": Whereabouts.choices,
        "per_page": per_page,
        "page_sizes": PAGE_SIZES,
        "querystring": urlencode(params),
        "querystring_nopage": urlencode(params),
        "querystring_nosort": urlencode({k: v for k, v in params.items() if k != "sort"}),
        "can_export": has_perm_anywhere(user, Perm.MEMBER_EXPORT),
        "can_create": has_perm_anywhere(user, Perm.MEMBER_EDIT),
    }
    template = "members/member_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, context)


@login_required
def member_export(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.MEMBER_EXPORT)
    filters = filters_from(request.GET)
    members = selectors.member_list(user=user, filters=filters, perm=Perm.MEMBER_EXPORT)
    unit_names = selectors.unit_names(Org.objects.all())
    data = members_xlsx(members.iterator(chunk_size=2000), user=user, unit_names=unit_names)
    audit_record(
        actor=user,
        action="member.export",
        label="党员名册导出",
        changes={"filters": {k: request.GET[k] for k in FILTER_KEYS if request.GET.get(k)}},
    )
    name = download_name("党员名单", f"{timezone.localdate():%Y%m%d}", ext="xlsx")
    return attachment_response(data, name, XLSX_CONTENT_TYPE)


@login_required
def member_new(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.MEMBER_EDIT)
    branches = branches_for_user(user).order_by("path")
    initial = {"branch": parse_id(request.GET.get("branch"))}
    if replay := submit_token_replay(request):
        return replay
    form = MemberCreateForm(request.POST or None, branches=branches, initial=initial)
    if request.method == "POST" and form.is_valid():

        def create() -> str:
            member = services.member_create(actor=user, **form.cleaned_data)
            messages.success(request, f"已添加党员 {member.name}。")
            return reverse("member_detail", args=[member.pk])

        if done := submit_once(request, form, create):
            return done
    return render(request, "members/member_form.html", {"form": form, "title": "添加党员"})


@login_required
def member_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    member = get_member_for_user(user, pk)
    masker = Masker(user)
    editable = may_edit_fully(user, member)
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "unit": Org.objects.get_ancestors(member.branch).filter(depth=2).first(),
            "phone": masker.phone(member, member.branch.path),
            "id_number": masker.id_number(member, member.branch.path),
            "history": selectors.member_history(member),
            "can_edit": editable,
            "can_edit_self": not editable and member.user_id == user.pk,
        },
    )


@login_required
def member_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    member = get_member_for_user(user, pk, Perm.MEMBER_EDIT_SELF)
    draft = copy.copy(member)  # the form writes onto its instance; the service diffs the original
    form: MemberForm | SelfMemberForm
    if may_edit_fully(user, member):
        branches = branches_for_user(user).order_by("path")
        form = MemberForm(request.POST or None, instance=draft, branches=branches)
    else:
        form = SelfMemberForm(request.POST or None, instance=draft)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "branch"}
        new_branch = form.cleaned_data.get("branch")
        try:
            with transaction.atomic():
                services.member_update(actor=user, member=member, **fields)
                if new_branch is not None and new_branch.pk != member.branch_id:
                    services.member_move(
                        actor=user, member=member, to_branch=new_branch, moved_on=dt.date.today()
                    )
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, "已保存。")
            return redirect("member_detail", pk=member.pk)
    return render(
        request,
        "members/member_form.html",
        {"form": form, "member": member, "title": f"编辑：{member.name}"},
    )


def _history_form_view(
    request: AuthedRequest,
    pk: int,
    form_class: Any,
    apply: Any,
    title: str,
    perm: str = Perm.MEMBER_EDIT,
    **form_kwargs: Any,
) -> HttpResponse:
    """Shared shape of the three dated changes (status, whereabouts, branch)."""
    user = request.user
    member = get_member_for_user(user, pk, perm)
    if replay := submit_token_replay(request):
        return replay
    form = form_class(request.POST or None, **form_kwargs)
    if request.method == "POST" and form.is_valid():

        def record() -> str:
            apply(actor=user, member=member, **form.cleaned_data)
            messages.success(request, "已记录。")
            return reverse("member_detail", args=[member.pk])

        if done := submit_once(request, form, record):
            return done
    return render(
        request,
        "members/member_change.html",
        {"form": form, "member": member, "title": f"{title}：{member.name}"},
    )


@login_required
def member_status(request: AuthedRequest, pk: int) -> HttpResponse:
    return _history_form_view(
        request, pk, StatusChangeForm, services.member_status_change, "政治面貌变更"
    )


@login_required
def member_whereabouts(request: AuthedRequest, pk: int) -> HttpResponse:
    return _history_form_view(
        request,
        pk,
        WhereaboutsChangeForm,
        services.member_whereabouts_change,
        "去向变更",
        perm=Perm.MEMBER_EDIT_SELF,  # members report their own whereabouts
    )


@login_required
def member_move(request: AuthedRequest, pk: int) -> HttpResponse:
    branches = branches_for_user(request.user).order_by("path")
    return _history_form_view(
        request, pk, MoveForm, services.member_move, "组织关系转接", branches=branches
    )
