"""CAS sign-in against a real CAS server (django-mama-cas, ops/tests/cas_server/) and the
platform, each served by gunicorn on loopback and sharing nothing but HTTP. See
docs/adr/0017-cas-test-server.md."""

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
from django.db import connection

from bench.server import ROOT, Server, gunicorn
from conftest import PASSWORD, Cast
from ops.cas import user_for_number

pytestmark = pytest.mark.serial

CAS_PASSWORD = "cas-Password-2020"
CAS_ENV = {"DJANGO_SETTINGS_MODULE": "ops.tests.cas_server.settings"}


def real_password(user: Any) -> None:
    """The tests hash passwords with MD5 for speed; a gunicorn node has the real hashers."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "opstestsalt", iterations=1000)
    user.save(update_fields=["password"])


def _password_sign_in(app: str, username: str) -> requests.Session:
    browser = requests.Session()
    browser.get(f"{app}/login/")
    browser.post(
        f"{app}/login/",
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
        allow_redirects=False,
    )
    return browser


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    user = f"{quote(db['USER'])}{password}@" if db.get("USER") else ""
    return f"postgres://{user}{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def cas_server(tmp_path: Path) -> Iterator[Server]:
    """The CAS server with its own SQLite database and three CAS users: two members' 学工号
    and a stranger's."""
    env = {**os.environ, **CAS_ENV, "CAS_SERVER_DB": str(tmp_path / "cas.sqlite3")}
    env.pop("DATABASE_URL", None)
    admin = [sys.executable, "-m", "django"]
    subprocess.run([*admin, "migrate", "-v", "0"], env=env, cwd=ROOT, check=True)
    make_users = (
        "from django.contrib.auth.models import User\n"
        "for name in ('A0001', 'B0001', 'X9999'):\n"
        f"    User.objects.create_user(name, password={CAS_PASSWORD!r})"
    )
    subprocess.run([*admin, "shell", "-c", make_users], env=env, cwd=ROOT, check=True)
    with gunicorn(
        app="ops.tests.cas_server.wsgi",
        env={k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "CAS_SERVER_DB")},
        ready_path="/cas/login",
    ) as server:
        yield server


def _platform(cas: Server, **extra: str) -> Any:
    return gunicorn(
        env={
            "DATABASE_URL": _database_url(),
            "SECRET_KEY": "cas-test-" + "k" * 50,
            "CAS_SERVER_URL": f"http://127.0.0.1:{cas.port}/cas/",
            "MEDIA_ROOT": str(Path(tempfile.gettempdir()) / "cas-test-media"),
            **extra,
        }
    )


def _cas_sign_in(browser: requests.Session, app: str, number: str) -> requests.Response:
    """Start at the platform's CAS link, sign in on the CAS server's form, follow it back."""
    to_cas = browser.get(f"{app}/cas/login/?next=/", allow_redirects=False)
    assert to_cas.status_code == 302
    form = browser.get(to_cas.headers["Location"])
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert token is not None, form.text[:500]
    return browser.post(
        form.url,
        data={"csrfmiddlewaretoken": token.group(1), "username": number, "password": CAS_PASSWORD},
        headers={"Referer": form.url},
    )


def test_cas_sign_in_and_single_sign_out(
    cast: Cast, transactional_db: Any, cas_server: Server
) -> None:
    cast.member_a.number = "A0001"
    cast.member_a.save()
    cast.member_b.number = "B0001"
    cast.member_b.save()
    cast.users["member_b"].is_active = False  # a stopped login
    cast.users["member_b"].save()
    real_password(cast.users["member_a"])
    real_password(cast.users["school_admin"])
    cast.users["school_admin"].is_superuser = True
    cast.users["school_admin"].save()
    cas = f"http://127.0.0.1:{cas_server.port}"
    with _platform(cas_server, PASSWORD_LOGIN="admins") as platform:
        app = f"http://127.0.0.1:{platform.port}"

        # A member's 学工号 at CAS signs in that member's own login, and lands on the home page.
        browser = requests.Session()
        landed = _cas_sign_in(browser, app, "A0001")
        assert landed.status_code == 200 and landed.url == f"{app}/"
        assert browser.get(f"{app}/", allow_redirects=False).status_code == 200
        assert cast.users["member_a"].username in browser.get(f"{app}/").text

        # A stranger (no member, no login) and a stopped login are turned away, nothing made.
        from django.contrib.auth.models import User

        before = User.objects.count()
        assert _cas_sign_in(requests.Session(), app, "X9999").status_code == 403
        assert _cas_sign_in(requests.Session(), app, "B0001").status_code == 403
        assert User.objects.count() == before

        # PASSWORD_LOGIN=admins: a member's right password no longer signs in here; a
        # superuser's still does (the way in when CAS is down).
        assert "统一身份认证登录" in requests.get(f"{app}/login/").text
        assert "sessionid" not in _password_sign_in(app, "member_a").cookies
        assert "sessionid" in _password_sign_in(app, "school_admin").cookies

        # Single sign-out: signing out at the CAS server ends the platform's session too.
        browser.get(f"{cas}/cas/logout")
        after = browser.get(f"{app}/", allow_redirects=False)
        assert after.status_code == 302 and "/login/" in after.headers["Location"]


@pytest.mark.django_db
def test_a_number_maps_to_the_members_login_and_never_to_a_stranger(cast: Cast) -> None:
    assert user_for_number(cast.member_a.number) == cast.users["member_a"]
    assert user_for_number(cast.users["school_admin"].username) == cast.users["school_admin"]
    assert user_for_number("nobody-here") is None
    assert user_for_number(" ") is None
    cast.users["member_a"].is_active = False
    cast.users["member_a"].save()
    assert user_for_number(cast.member_a.number) is None
