"""config.sessions: Django's database sessions, loaded with a fixed SELECT."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from access.services import user_sessions_end
from config.sessions import SessionStore
from conftest import Cast

pytestmark = pytest.mark.django_db


def test_a_session_loads_what_was_saved_and_an_expired_or_unknown_one_nothing() -> None:
    assert settings.SESSION_ENGINE == "config.sessions"
    store = SessionStore()
    store["said"] = "你好"
    store.save()
    key = store.session_key
    assert SessionStore(session_key=key).load() == {"said": "你好"}
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    expired = SessionStore(session_key=key)
    assert expired.load() == {} and expired.session_key is None
    unknown = SessionStore(session_key="x" * 32)
    assert unknown.load() == {} and unknown.session_key is None


def test_a_signed_in_user_stays_signed_in_until_their_sessions_are_ended(cast: Cast) -> None:
    client = cast.client("member_a")
    assert client.get(reverse("report_mine")).status_code == 200
    assert user_sessions_end(cast.users["member_a"]) == 1
    assert client.get(reverse("report_mine")).status_code == 302  # to the sign-in page
