"""The ops routes for every role: /healthz is open (a load balancer has no login); the CAS
routes exist only when CAS is configured (test_cas.py drives them against a CAS server)."""

from typing import Any

import pytest
from django.urls import reverse

from conftest import HIDDEN, ROLES, Cast
from ops.models import Heartbeat

COVERED_ELSEWHERE = {
    "healthz",  # open to everyone: test_healthz_is_open_to_every_role below
    "cas_ng_login",  # test_cas.py (404 without CAS: below)
    "cas_ng_logout",
}

WRITES_COVERED_ELSEWHERE = {
    # The CAS server's single sign-out POST: ops/tests/test_cas.py
    "cas_ng_login": "ops/tests/test_cas.py::test_cas_sign_in_and_single_sign_out",
}


@pytest.mark.parametrize("role", ROLES)
def test_healthz_is_open_to_every_role(cast: Cast, role: str) -> None:
    Heartbeat.objects.create(
        worker="w:1", beat_at="2099-01-01T00:00Z", started_at="2020-01-01T00:00Z"
    )
    response = cast.client(role).get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.parametrize("name", ["cas_ng_login", "cas_ng_logout"])
@pytest.mark.parametrize("role", ["anonymous", "member_a"])
def test_cas_routes_do_not_exist_without_cas(cast: Cast, name: str, role: str) -> None:
    assert cast.client(role).get(reverse(name)).status_code == HIDDEN
    assert cast.client(role).post(reverse(name)).status_code == HIDDEN


def test_healthz_writes_nothing(cast: Cast, settings: Any) -> None:
    assert cast.client("anonymous").post(reverse("healthz")).status_code == 405
