"""企业微信 and 钉钉 group robots, posted to with apprise.

apprise's plugins know each robot's message format and 钉钉's signature (加签: timestamp and
HMAC-SHA256 sign); the address is the one the org's admin pasted from the robot's settings,
so a robot on another host (a gateway, or a receiver on loopback in the tests) is reached the
same way as the real service.
"""

import logging
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import apprise
from apprise.plugins.dingtalk import NotifyDingTalk
from apprise.plugins.wecombot import NotifyWeComBot

from notices.models import RobotKind

# Each robot's own limit on one message (企业微信: 2048 bytes of text; 钉钉: 20000 bytes).
MAX_BYTES: dict[str, int] = {RobotKind.WECOM: 2000, RobotKind.DINGTALK: 18000}
TIMEOUT_S = 10


def robot_token(kind: str, url: str) -> str | None:
    """The robot's key in its webhook address (企业微信 `key=`, 钉钉 `access_token=`)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    name = "key" if kind == RobotKind.WECOM else "access_token"
    values = parse_qs(parts.query).get(name)
    token = values[0] if values else ""
    bare = token.replace("-", "").replace("_", "") if kind == RobotKind.WECOM else token
    ok = bare.isascii() and bare.isalnum()
    return token if ok else None


@dataclass(frozen=True)
class PostResult:
    ok: bool
    error: str = ""  # in Chinese, for the delivery log


def _plugin(kind: str, url: str, secret: str) -> apprise.plugins.NotifyBase:
    token = robot_token(kind, url)
    if token is None:
        raise ValueError("bad robot address")
    head = url.split("?", 1)[0]
    plugin: apprise.plugins.NotifyBase
    if kind == RobotKind.WECOM:
        plugin = NotifyWeComBot(key=token)
        plugin.api_url = url  # type: ignore[attr-defined]
    else:
        plugin = NotifyDingTalk(token=token, secret=secret or None)
        plugin.notify_url = head + "?access_token={token}"
    # We keep each robot's rate ourselves (notices.delivery); apprise must not sleep.
    plugin.request_rate_per_sec = 0
    plugin.socket_connect_timeout = TIMEOUT_S
    plugin.socket_read_timeout = TIMEOUT_S
    return plugin


def _reason(log: str) -> str:
    """apprise logs why a post failed; say it in Chinese."""
    if "error=" in log:
        code = log.split("error=", 1)[1].split(".", 1)[0].strip()
        return f"机器人接口返回错误（HTTP {code}）"
    if "Connection error" in log or "connection" in log.lower():
        return "无法连接机器人接口（网络不通或地址错误）"
    return "发送失败（原因未知）"


def robot_post(*, kind: str, url: str, secret: str, title: str, text: str) -> PostResult:
    """Post one message; never raises for a failure of the far end."""
    try:
        plugin = _plugin(kind, url, secret)
    except (ValueError, TypeError, apprise.exception.AppriseException):
        return PostResult(False, "机器人地址或加签密钥无效")
    with apprise.LogCapture(level=logging.WARNING) as log:
        ok = plugin.notify(body=text, title=title)
        captured = log.getvalue()  # type: ignore[union-attr]
    return PostResult(True) if ok else PostResult(False, _reason(captured))
