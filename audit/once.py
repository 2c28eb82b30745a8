"""One record per form, however often it is submitted.

Each form carries a one-time token ({% form_token %}). The first POST claims it inside its
transaction; a second POST of the same token (a double click, a resent request) waits for the
first to commit and is sent to the first one's result instead of writing again.
"""

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseRedirect

from access.http import AuthedRequest
from audit.models import SubmitToken


def submit_token_replay(request: AuthedRequest) -> HttpResponse | None:
    """Before validating a POST: if its token was already used, the redirect to that result.

    (A repeated form would otherwise fail validation, e.g. on a now-taken unique number.)"""
    if request.method != "POST":
        return None
    try:
        token = uuid.UUID(request.POST.get("form_token", ""))
    except ValueError:
        return None
    earlier = SubmitToken.objects.filter(token=token, user_id=request.user.pk).first()
    if earlier is None:
        return None
    return HttpResponseRedirect(earlier.result_url or request.path)


def submit_token_claim(request: AuthedRequest) -> SubmitToken | HttpResponse | None:
    """Claim the POST's token. Returns the claim, a redirect to the earlier result if the
    token was used already, or None when the form carried no valid token.
    Call inside transaction.atomic() together with the write it guards."""
    raw = request.POST.get("form_token", "")
    try:
        token = uuid.UUID(raw)
    except ValueError:
        return None
    try:
        with transaction.atomic():
            return SubmitToken.objects.create(token=token, user=request.user)
    except IntegrityError:
        earlier = SubmitToken.objects.filter(token=token, user=request.user).first()
        return HttpResponseRedirect(
            earlier.result_url if earlier and earlier.result_url else request.path
        )


def submit_token_done(claim: SubmitToken | None, url: str) -> None:
    if claim is not None:
        claim.result_url = url
        claim.save(update_fields=["result_url"])


def submit_once(
    request: AuthedRequest,
    form: Any,
    write: Callable[[], str],
    *,
    refused_url: str | None = None,
) -> HttpResponse | None:
    """Run a form's write once per form token, in one transaction with the token's claim.

    `write` calls the service and returns the URL to go to next. On success (or when the token
    was used already) the answer is that redirect. When the service refuses (ValidationError),
    the claim is rolled back so the form can be sent again, and the reason goes onto `form` (the
    answer is None: the view shows the form again) or, for a form-less action (`form` None),
    into the page's messages with a redirect to `refused_url`.
    """
    with transaction.atomic():
        claim = submit_token_claim(request)
        if isinstance(claim, HttpResponse):
            return claim
        try:
            url = write()
        except ValidationError as e:
            transaction.set_rollback(True)
            if form is None:
                for message in e.messages:
                    messages.error(request, message)
                return HttpResponseRedirect(refused_url or request.path)
            form.add_error(None, e)
            return None
        submit_token_done(claim, url)
    return HttpResponseRedirect(url)


def submit_once_write_first(
    request: AuthedRequest,
    form: Any,
    write: Callable[[], str],
    *,
    on_success: Callable[[], None] | None = None,
) -> HttpResponse | None:
    """submit_once for a write that is itself safe to repeat (a database constraint makes a
    second one a no-op): the write runs first and the token is claimed last, by the one
    INSERT that also records the result URL — no savepoint, no later UPDATE, no look-up
    before the write. A token used already rolls the write back and answers with the earlier
    result; `on_success` (the page's message) runs only when the write stood."""
    try:
        token: uuid.UUID | None = uuid.UUID(request.POST.get("form_token", ""))
    except ValueError:
        token = None
    try:
        with transaction.atomic():
            try:
                url = write()
            except ValidationError as e:
                transaction.set_rollback(True)
                form.add_error(None, e)
                return None
            if token is not None:
                try:
                    SubmitToken.objects.create(token=token, user=request.user, result_url=url)
                except IntegrityError as e:
                    raise _TokenUsed from e
    except _TokenUsed:
        assert token is not None
        earlier = SubmitToken.objects.filter(token=token, user_id=request.user.pk).first()
        return HttpResponseRedirect(
            earlier.result_url if earlier and earlier.result_url else request.path
        )
    if on_success is not None:
        on_success()
    return HttpResponseRedirect(url)


class _TokenUsed(Exception):
    """The form's token was claimed by an earlier POST (rolls the repeated write back)."""
