"""Security settings at work: login lockout."""

from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, Cast


def _fail(client: Client, username: str, address: str) -> int:
    response = client.post(
        reverse("login"), {"username": username, "password": "wrong"}, REMOTE_ADDR=address
    )
    return response.status_code


def test_failures_from_many_addresses_lock_the_username(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AXES_FAILURE_LIMIT = 5
    for n in range(5):
        _fail(Client(), "unit_a_admin", f"10.0.0.{n + 1}")

    response = Client().post(
        reverse("login"),
        {"username": "unit_a_admin", "password": PASSWORD},
        REMOTE_ADDR="10.9.9.9",
    )

    assert response.status_code == 429
    assert "锁定" in response.content.decode()


def test_one_address_spraying_many_usernames_is_throttled(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AXES_FAILURE_LIMIT = 5
    client = Client()
    for name in ["school_admin", "unit_b_admin", "reviewer", "duty_office", "member_b"]:
        _fail(client, name, "10.1.1.1")

    response = client.post(
        reverse("login"),
        {"username": "unit_a_admin", "password": PASSWORD},
        REMOTE_ADDR="10.1.1.1",
    )

    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_other_people_sign_in_while_one_username_is_locked(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AXES_FAILURE_LIMIT = 5
    for n in range(5):
        _fail(Client(), "unit_a_admin", f"10.0.0.{n + 1}")

    response = Client().post(
        reverse("login"),
        {"username": "unit_b_admin", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
    )

    assert response.status_code == 302
