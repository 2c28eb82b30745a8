from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from access import services
from access.forms import GrantForm, TokenForm
from access.http import AuthedRequest
from access.models import ApiToken, Grant, Role
from access.scope import (
    UNIT_GRANTABLE_ROLES,
    Perm,
    grants_of,
    is_school_admin,
    orgs_for_user,
    paths_with,
    require_anywhere,
)
from audit.once import submit_once, submit_token_replay


def _grantable_roles(user: object) -> list[Role]:
    return list(Role) if is_school_admin(user) else list(UNIT_GRANTABLE_ROLES)


@login_required
def grant_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.GRANT_MANAGE)
    orgs = orgs_for_user(user, Perm.GRANT_MANAGE).order_by("path")
    if replay := submit_token_replay(request):
        return replay
    form = GrantForm(request.POST or None, orgs=orgs, roles=_grantable_roles(user))
    if request.method == "POST" and form.is_valid():

        def grant() -> str:
            services.grant_create(
                actor=user,
                user=form.cleaned_data["username"],
                org=form.cleaned_data["org"],
                role=form.cleaned_data["role"],
            )
            messages.success(request, "已授权。")
            return reverse("grant_list")

        if done := submit_once(request, form, grant):
            return done
    roots = paths_with(user, Perm.GRANT_MANAGE)
    in_scope = Q(pk__in=[])
    for root in roots:
        in_scope |= Q(org__path__startswith=root)
    grants = (
        Grant.objects.filter(in_scope)
        .select_related("user", "org", "granted_by")
        .order_by("org__path", "role", "user__username")
    )
    return render(request, "access/grant_list.html", {"form": form, "grants": grants})


@login_required
@require_POST
def grant_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.GRANT_MANAGE)
    grant = get_object_or_404(Grant.objects.select_related("org", "user"), pk=pk)
    if not any(grant.org.path.startswith(g.path) for g in grants_of(user)):
        raise PermissionDenied
    services.grant_revoke(actor=user, grant=grant)
    messages.success(request, "已撤销授权。")
    return redirect("grant_list")


@login_required
def token_list(request: AuthedRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _, new_key = services.api_token_create(actor=request.user, name=form.cleaned_data["name"])
        form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user)
    return render(
        request, "access/token_list.html", {"form": form, "tokens": tokens, "new_key": new_key}
    )


@login_required
@require_POST
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, "令牌已作废。")
    return redirect("token_list")
