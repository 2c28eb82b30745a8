from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from access.http import AuthedRequest
from access.scope import (
    Perm,
    can,
    get_org_for_user,
    members_for_user,
    orgs_for_user,
    paths_with,
    require_anywhere,
)
from audit.once import submit_once, submit_token_replay
from orgs import services
from orgs.forms import CampusForm, OrgForm, OrgMoveForm
from orgs.models import ALLOWED_CHILD_KINDS, Campus, Org


def _nest(orgs: list[Org], counts: dict[int, int]) -> list[dict[str, Any]]:
    """Turn a path-ordered list of orgs into nested dicts for the tree template."""
    roots: list[dict[str, Any]] = []
    stack: list[dict[str, Any]] = []
    for org in orgs:
        node = {"org": org, "children": [], "members": counts.get(org.pk, 0)}
        while stack and not org.path.startswith(stack[-1]["org"].path):
            stack.pop()
        (stack[-1]["children"] if stack else roots).append(node)
        stack.append(node)
    for node in reversed(_walk(roots)):
        node["total"] = node["members"] + sum(c["total"] for c in node["children"])
    return roots


def _walk(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for node in nodes:
        out.append(node)
        out.extend(_walk(node["children"]))
    return out


@login_required
def org_tree(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.ORG_VIEW)
    orgs = list(orgs_for_user(user).select_related("campus").order_by("path"))
    counts = dict(
        members_for_user(user)
        .order_by()
        .values("branch_id")
        .annotate(n=Count("id"))
        .values_list("branch_id", "n")
    )
    editable = paths_with(user, Perm.ORG_EDIT)
    return render(
        request,
        "orgs/org_tree.html",
        {"tree": _nest(orgs, counts), "editable_roots": editable, "can_edit": bool(editable)},
    )


@login_required
def org_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    org = get_org_for_user(user, pk)
    children = Org.objects.get_children(org).select_related("campus")
    ancestors = [a for a in Org.objects.get_ancestors(org) if can(user, Perm.ORG_VIEW, a)]
    member_count = members_for_user(user).in_org(org).count()
    return render(
        request,
        "orgs/org_detail.html",
        {
            "org": org,
            "children": children,
            "ancestors": ancestors,
            "member_count": member_count,
            "can_edit": can(user, Perm.ORG_EDIT, org),
            "can_add_child": can(user, Perm.ORG_EDIT, org) and ALLOWED_CHILD_KINDS[org.kind],
            "can_move": org.depth > 1
            and can(user, Perm.ORG_EDIT, Org.objects.get_parent(org) or org),
            "can_delete": org.depth > 1
            and can(user, Perm.ORG_EDIT, Org.objects.get_parent(org) or org),
        },
    )


@login_required
def org_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    org = get_org_for_user(user, pk, Perm.ORG_EDIT)
    form = OrgForm(
        request.POST or None, parent=Org.objects.get_parent(org), initial=OrgForm.initial_for(org)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.org_update(actor=user, org=org, **form.cleaned_data)
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, "已保存。")
            return redirect("org_detail", pk=org.pk)
    return render(request, "orgs/org_form.html", {"form": form, "org": org, "title": "编辑组织"})


@login_required
def org_add_child(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    parent = get_org_for_user(user, pk, Perm.ORG_EDIT)
    if replay := submit_token_replay(request):
        return replay
    form = OrgForm(request.POST or None, parent=parent, initial={"campus": parent.campus})
    if request.method == "POST" and form.is_valid():

        def create() -> str:
            child = services.org_create(actor=user, parent=parent, **form.cleaned_data)
            messages.success(request, f"已新建「{child.name}」。")
            return reverse("org_detail", args=[child.pk])

        if done := submit_once(request, form, create):
            return done
    return render(
        request,
        "orgs/org_form.html",
        {"form": form, "org": parent, "title": f"在「{parent.name}」下新建组织", "once": True},
    )


@login_required
def org_move(request: AuthedRequest, pk: int) -> HttpResponse:
    """Move an org under another parent: the user must edit the org, its parent and the target."""
    user = request.user
    org = get_org_for_user(user, pk, Perm.ORG_EDIT)
    parent = Org.objects.get_parent(org)
    if parent is None or not can(user, Perm.ORG_EDIT, parent):
        raise PermissionDenied
    kinds = [k for k, children in ALLOWED_CHILD_KINDS.items() if org.kind in children]
    parents = (
        orgs_for_user(user, Perm.ORG_EDIT)
        .filter(kind__in=kinds)
        .exclude(path__startswith=org.path)
        .exclude(pk=parent.pk)
    )
    form = OrgMoveForm(request.POST or None, parents=parents)
    if request.method == "POST" and form.is_valid():
        try:
            services.org_move(actor=user, org=org, new_parent=form.cleaned_data["new_parent"])
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(
                request, f"已将「{org.name}」移到「{form.cleaned_data['new_parent'].name}」下。"
            )
            return redirect("org_detail", pk=org.pk)
    return render(
        request,
        "orgs/org_form.html",
        {"form": form, "org": org, "title": f"移动「{org.name}」（连同下级组织和党员）"},
    )


@login_required
@require_POST
def org_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    org = get_org_for_user(user, pk)
    parent = Org.objects.get_parent(org)
    if parent is None or not can(user, Perm.ORG_EDIT, parent):
        get_org_for_user(user, pk, Perm.ORG_EDIT)  # raises 403 if they may not edit
        messages.error(request, "不能删除本级组织。")
        return redirect("org_detail", pk=org.pk)
    try:
        services.org_delete(actor=user, org=org)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("org_detail", pk=org.pk)
    messages.success(request, f"已删除「{org.name}」。")
    return redirect("org_detail", pk=parent.pk)


@login_required
def campus_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.CAMPUS_EDIT)
    if replay := submit_token_replay(request):
        return replay
    form = CampusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def create() -> str:
            services.campus_save(actor=user, campus=None, **form.cleaned_data)
            messages.success(request, "已添加校区。")
            return reverse("campus_list")

        if done := submit_once(request, form, create):
            return done
    campuses = Campus.objects.annotate(member_count=Count("members"))
    return render(request, "orgs/campus_list.html", {"form": form, "campuses": campuses})


@login_required
def campus_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.CAMPUS_EDIT)
    campus = get_object_or_404(Campus, pk=pk)
    form = CampusForm(
        request.POST or None, initial={"name": campus.name, "address": campus.address}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.campus_save(actor=user, campus=campus, **form.cleaned_data)
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, "已保存。")
            return redirect("campus_list")
    return render(request, "orgs/campus_form.html", {"form": form, "campus": campus})
