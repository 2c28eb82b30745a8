from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_POST

from access import services
from access.forms import GrantForm, TokenForm
from access.http import AuthedRequest
from access.models import ApiToken, Grant
from access.scope import (
    Perm,
    can,
    is_school_admin,
    members_for_user,
    orgs_for_user,
    paths_with,
    require_anywhere,
)
from access.services import MUST_CHANGE_PASSWORD
from audit.once import (
    submit_once,
    submit_token_claim,
    submit_token_done,
    submit_token_replay,
)
from members.selectors import member_suggestions


class SignInView(auth_views.LoginView):
    """Django's sign-in; a temporary password sends the user to change it first."""

    template_name = "access/login.html"
    # LoginView sets site_name to the host name; the page is titled with the site's name.
    extra_context = {"site_name": settings.SITE_NAME}

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        if services.must_change_password(form.get_user()):
            self.request.session[MUST_CHANGE_PASSWORD] = True
            return HttpResponseRedirect(reverse("password_change"))
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password (audited); ends the duty to change a temporary one."""

    template_name = "access/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            services.password_changed(user=form.user)
        self.request.session.pop(MUST_CHANGE_PASSWORD, None)
        messages.success(self.request, "密码已修改。")
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["forced"] = bool(self.request.session.get(MUST_CHANGE_PASSWORD))
        return context


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """The one-time link an admin gave a member: they choose their own password."""

    template_name = "access/password_set.html"
    success_url = reverse_lazy("login")

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            services.password_set_by_link(user=form.user)
        messages.success(self.request, "密码已设置，请用学工号和新密码登录。")
        return response


def _grant_people(user: Any) -> Any:
    """The members a grant may go to: those where the user manages grants."""
    return members_for_user(user, Perm.GRANT_MANAGE)


@login_required
def grant_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.GRANT_MANAGE)
    orgs = orgs_for_user(user, Perm.GRANT_MANAGE).order_by("path")
    if replay := submit_token_replay(request):
        return replay
    form = GrantForm(
        request.POST or None,
        orgs=orgs,
        roles=services.grantable_roles(user),
        people=_grant_people(user),
        any_username=is_school_admin(user),
    )
    if request.method == "POST" and form.is_valid():

        def grant() -> str:
            services.grant_create(
                actor=user,
                user=form.cleaned_data["person"],
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


PEOPLE_SUGGESTIONS = 10


@login_required
def grant_people(request: AuthedRequest) -> HttpResponse:
    """Suggestions for the grant form's person box: members of the user's scope whose name
    contains, or whose 学工号 / username starts with, what was typed (never phone numbers)."""
    user = request.user
    require_anywhere(user, Perm.GRANT_MANAGE)
    people = member_suggestions(
        _grant_people(user), request.GET.get("person", ""), limit=PEOPLE_SUGGESTIONS, username=True
    )
    return render(request, "access/grant_list.html#people", {"people": people})


@login_required
@require_POST
def grant_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.GRANT_MANAGE)
    grant = Grant.objects.select_related("org", "user").filter(pk=pk).first()
    # A grant outside the subtrees the user manages is not in their list: not found, like
    # one that does not exist. One they see but could not have made is refused (403).
    if grant is None or not can(user, Perm.GRANT_MANAGE, grant.org):
        raise Http404
    services.grant_revoke(actor=user, grant=grant)
    messages.success(request, "已撤销授权。")
    return redirect("grant_list")


@login_required
def token_list(request: AuthedRequest) -> HttpResponse:
    if replay := submit_token_replay(request):
        return replay
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        # The key is shown in this answer (never stored), so this is not submit_once's
        # redirect: a repeated form goes to the list, and the token is made once.
        with transaction.atomic():
            claim = submit_token_claim(request)
            if isinstance(claim, HttpResponse):
                return claim
            _, new_key = services.api_token_create(
                actor=request.user, name=form.cleaned_data["name"]
            )
            submit_token_done(claim, reverse("token_list"))
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
