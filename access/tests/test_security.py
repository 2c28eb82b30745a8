import os
import subprocess
import sys

from django.urls import reverse

from conftest import PASSWORD, Cast


def test_login_page_is_chinese_and_signs_in(cast: Cast, client) -> None:  # type: ignore[no-untyped-def]
    page = client.get(reverse("login"))
    assert "登录" in page.content.decode()

    response = client.post(reverse("login"), {"username": "unit_a_admin", "password": PASSWORD})

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_repeated_failed_logins_lock_the_account(cast: Cast, client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("login"), {"username": "unit_a_admin", "password": "wrong"})

    response = client.post(reverse("login"), {"username": "unit_a_admin", "password": PASSWORD})

    assert response.status_code == 429
    assert "锁定" in response.content.decode()


def test_weak_password_is_refused(cast: Cast) -> None:
    response = cast.client("unit_a_admin").post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors


def test_production_settings_pass_check_deploy() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DEBUG="false",
        HTTPS_ONLY="true",
        SECRET_KEY="k" * 20 + "a-long-random-production-secret-value-1234567890",
        ALLOWED_HOSTS="dangjian.example.edu.cn",
        DATABASE_URL="sqlite:///unused.sqlite3",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stdout + result.stderr
