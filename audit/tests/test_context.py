"""The client's address behind a reverse proxy: believed only from a trusted proxy."""

import pytest
from django.apps import apps
from django.test import RequestFactory, override_settings
from django.urls import reverse

from audit.context import client_address
from audit.models import AuditEvent
from conftest import Cast

XFF = "X-Forwarded-For"


def _address(peer: str, headers: dict[str, str] | None = None) -> str | None:
    return client_address(RequestFactory().get("/", REMOTE_ADDR=peer, headers=headers))


@pytest.mark.parametrize(
    ("proxies", "peer", "header", "expected"),
    [
        # no proxy configured: the peer is the client, whatever the header says
        ([], "203.0.113.9", "1.2.3.4", "203.0.113.9"),
        # behind one trusted proxy: the address the proxy saw
        (["10.0.0.2"], "10.0.0.2", "198.51.100.7", "198.51.100.7"),
        # a client that sends its own header through the proxy: the proxy appends the real one
        (["10.0.0.2"], "10.0.0.2", "1.2.3.4, 198.51.100.7", "198.51.100.7"),
        # two proxies in a trusted network: skip both
        (["10.0.0.0/8"], "10.0.0.2", "198.51.100.7, 10.0.0.3", "198.51.100.7"),
        # a spoofed header from a peer that is not a trusted proxy is ignored
        (["10.0.0.2"], "203.0.113.9", "1.2.3.4", "203.0.113.9"),
        # a trusted proxy that sent no header: the proxy itself
        (["10.0.0.2"], "10.0.0.2", "", "10.0.0.2"),
        # garbage in the header is not an address
        (["10.0.0.2"], "10.0.0.2", "<script>, 198.51.100.7", "198.51.100.7"),
        (["10.0.0.2"], "10.0.0.2", "not-an-address", "10.0.0.2"),
        # ports and IPv6
        (["10.0.0.2"], "10.0.0.2", "198.51.100.7:51234", "198.51.100.7"),
        (["::1"], "::1", "[2001:db8::5]:443", "2001:db8::5"),
    ],
)
def test_client_address(proxies: list[str], peer: str, header: str, expected: str) -> None:
    with override_settings(TRUSTED_PROXIES=proxies):
        assert _address(peer, {XFF: header} if header else None) == expected


@override_settings(TRUSTED_PROXIES=["10.0.0.2"], CLIENT_ADDRESS_HEADER="X-Real-IP")
def test_the_header_name_is_configurable() -> None:
    assert _address("10.0.0.2", {"X-Real-IP": "198.51.100.7"}) == "198.51.100.7"
    assert _address("10.0.0.2", {XFF: "1.2.3.4"}) == "10.0.0.2"


def _create_org(cast: Cast, name: str, peer: str, forwarded: str) -> AuditEvent:
    cast.client("school_admin").post(
        reverse("org_add_child", args=[cast.unit_a.pk]),
        {"name": name, "kind": "branch", "form_token": ""},
        REMOTE_ADDR=peer,
        headers={XFF: forwarded},
    )
    return AuditEvent.objects.get(action="org.create", target_label=name)


@override_settings(TRUSTED_PROXIES=["10.0.0.2"])
def test_audit_row_records_the_client_behind_a_trusted_proxy(cast: Cast) -> None:
    behind = _create_org(cast, "代理后支部", "10.0.0.2", "198.51.100.7")
    spoofed = _create_org(cast, "伪造支部", "203.0.113.9", "1.2.3.4")
    assert behind.ip == "198.51.100.7"
    assert spoofed.ip == "203.0.113.9"


def test_without_a_trusted_proxy_the_header_is_ignored(cast: Cast) -> None:
    event = _create_org(cast, "直连支部", "10.0.0.2", "198.51.100.7")
    assert event.ip == "10.0.0.2"


@override_settings(TRUSTED_PROXIES=["10.0.0.2"])
def test_pledge_signature_records_the_client_behind_a_trusted_proxy(cast: Cast) -> None:
    # duty is a feature app that audit may not import: reach its models by name.
    pledge = apps.get_model("duty", "Pledge").objects.create(
        title="党员疫情防控承诺书", body="…", org=cast.school
    )
    cast.client("member_a").post(
        reverse("pledge_sign", args=[pledge.pk]),
        {"signed_name": "张三", "confirmed": "on"},
        REMOTE_ADDR="10.0.0.2",
        headers={XFF: "198.51.100.7"},
    )
    cast.client("member_b").post(
        reverse("pledge_sign", args=[pledge.pk]),
        {"signed_name": "李四", "confirmed": "on"},
        REMOTE_ADDR="203.0.113.9",
        headers={XFF: "1.2.3.4"},
    )
    signatures = apps.get_model("duty", "PledgeSignature").objects.order_by("signed_name")
    assert {s.signed_name: s.ip for s in signatures} == {
        "张三": "198.51.100.7",
        "李四": "203.0.113.9",
    }
    assert AuditEvent.objects.get(action="pledge.sign", actor=cast.users["member_a"]).ip == (
        "198.51.100.7"
    )
