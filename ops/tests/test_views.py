"""/healthz: the database, the file storage and the worker's heartbeat."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ops.heartbeat import beat, worker_alive
from ops.models import Heartbeat


@pytest.mark.django_db
def test_healthz_is_503_and_names_the_worker_when_no_worker_beats() -> None:
    response = Client().get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["checks"] == {"database": "ok", "storage": "ok", "worker": "error"}
    assert body["message"] == "异常：后台任务进程"
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_healthz_is_200_with_a_fresh_heartbeat_and_503_with_a_stale_one(settings: Any) -> None:
    beat("host:1", started_at=timezone.now())
    assert Client().get(reverse("healthz")).status_code == 200
    stale = timezone.now() - timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS + 1)
    Heartbeat.objects.update(beat_at=stale)
    assert not worker_alive()
    assert Client().get(reverse("healthz")).status_code == 503


@pytest.mark.django_db
def test_healthz_says_when_the_storage_cannot_be_written(settings: Any, tmp_path: Any) -> None:
    beat("host:1", started_at=timezone.now())
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the media directory should be")
    settings.MEDIA_ROOT = blocked
    response = Client().get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == "error"
    assert "文件存储" in response.json()["message"]


@pytest.mark.django_db
def test_the_login_page_offers_cas_only_when_it_is_configured(settings: Any) -> None:
    assert "统一身份认证登录" not in Client().get(reverse("login")).content.decode()
    settings.CAS_ENABLED = True
    settings.PASSWORD_LOGIN = "admins"
    page = Client().get(reverse("login")).content.decode()
    assert "统一身份认证登录" in page
    assert "仅供系统管理员使用" in page
