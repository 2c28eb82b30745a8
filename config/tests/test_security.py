"""Login lockout: a username across addresses, an address across usernames."""

from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, Cast


def _fail(client: Client, username: str, address: str) -> int:
    response = client.post(
        reverse("login"), {"username": username, "password": "wrong"}, REMOTE_ADDR=address
    )
    return response.status_code


def _sign_in(client: Client, username: str, address: str) -> int:
    response = client.post(
        reverse("login"), {"username": username, "password": PASSWORD}, REMOTE_ADDR=address
    )
    return response.status_code


def test_failures_from_many_addresses_lock_the_username(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AXES_USERNAME_FAILURE_LIMIT = 5
    for n in range(5):
        _fail(Client(), "unit_a_admin", f"10.0.0.{n + 1}")

    response = Client().post(
        reverse("login"),
        {"username": "unit_a_admin", "password": PASSWORD},
        REMOTE_ADDR="10.9.9.9",
    )

    assert response.status_code == 429
    assert "锁定" in response.content.decode()


def test_four_failures_do_not_lock_the_username(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AXES_USERNAME_FAILURE_LIMIT = 5
    for n in range(4):
        _fail(Client(), "unit_a_admin", f"10.0.0.{n + 1}")

    assert _sign_in(Client(), "unit_a_admin", "10.9.9.9") == 302


def test_one_address_spraying_many_usernames_is_throttled(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AXES_USERNAME_FAILURE_LIMIT = 5
    settings.AXES_ADDRESS_FAILURE_LIMIT = 12
    client = Client()
    for n in range(12):
        _fail(client, f"guess{n}", "10.1.1.1")

    response = client.post(
        reverse("login"),
        {"username": "unit_a_admin", "password": PASSWORD},
        REMOTE_ADDR="10.1.1.1",
    )

    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_an_address_shared_by_many_people_is_not_throttled_by_a_few_typos(  # type: ignore[no-untyped-def]
    cast: Cast, settings
) -> None:
    settings.AXES_USERNAME_FAILURE_LIMIT = 5
    settings.AXES_ADDRESS_FAILURE_LIMIT = 12
    for name in ["school_admin", "unit_b_admin", "reviewer", "duty_office", "member_b"]:
        _fail(Client(), name, "10.1.1.1")
        _fail(Client(), name, "10.1.1.1")

    assert _sign_in(Client(), "unit_a_admin", "10.1.1.1") == 302


def test_other_people_sign_in_while_one_username_is_locked(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AXES_USERNAME_FAILURE_LIMIT = 5
    for n in range(5):
        _fail(Client(), "unit_a_admin", f"10.0.0.{n + 1}")

    assert _sign_in(Client(), "unit_b_admin", "10.0.0.1") == 302


def test_behind_a_trusted_proxy_the_client_address_is_throttled_not_the_proxy(  # type: ignore[no-untyped-def]
    cast: Cast, settings
) -> None:
    settings.AXES_USERNAME_FAILURE_LIMIT = 5
    settings.AXES_ADDRESS_FAILURE_LIMIT = 12
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    for n in range(12):  # one client sprays usernames through the proxy
        Client().post(
            reverse("login"),
            {"username": f"guess{n}", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )

    def through_proxy(client_address: str) -> int:
        return (
            Client()
            .post(
                reverse("login"),
                {"username": "unit_a_admin", "password": PASSWORD},
                REMOTE_ADDR="10.0.0.2",
                HTTP_X_FORWARDED_FOR=client_address,
            )
            .status_code
        )

    assert through_proxy("203.0.113.7") == 429  # the sprayer is throttled
    assert through_proxy("203.0.113.8") == 302  # everyone else behind the proxy signs in
