"""Posts (党员先锋岗): list, create, edit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from access.http import AuthedRequest
from access.scope import Perm, require_anywhere
from audit.once import submit_once, submit_token_replay
from rosters import selectors, services
from rosters.forms import PostForm
from rosters.scope import get_post_for_user
from rosters.views.common import _managed_orgs


@login_required
def post_list(request: AuthedRequest) -> HttpResponse:
    require_anywhere(request.user, Perm.POST_MANAGE)
    posts = selectors.post_list(user=request.user)
    return render(request, "rosters/post_list.html", {"posts": posts})


@login_required
def post_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.POST_MANAGE)
    post = get_post_for_user(user, pk) if pk else None
    orgs = _managed_orgs(user, Perm.POST_MANAGE)
    if replay := submit_token_replay(request):
        return replay
    form = PostForm(request.POST or None, instance=post, orgs=orgs)
    if request.method == "POST" and form.is_valid():

        def write() -> str:
            saved = services.post_save(
                actor=user, post=post, org=form.cleaned_data["org"], **form.post_fields()
            )
            url = reverse("post_list")
            messages.success(request, f"已保存岗位「{saved.name}」。")
            return url

        if done := submit_once(request, form, write):
            return done
    title = f"编辑岗位：{post.name}" if post else "新建岗位"
    return render(
        request, "rosters/form.html", {"form": form, "title": title, "back": reverse("post_list")}
    )
