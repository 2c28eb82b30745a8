"""The request's client address, for audit rows and signatures.

Behind a reverse proxy REMOTE_ADDR is the proxy's address. The proxy adds the address it saw to
a header (`X-Forwarded-For` by default; `CLIENT_ADDRESS_HEADER`). The header is believed only
when the peer that sent the request is one of `TRUSTED_PROXIES` (addresses or networks): then
the chain is read from the right, skipping trusted proxies, and the first address that is not a
proxy is the client. A header sent by anyone else is ignored, so it cannot be spoofed.
"""

import ipaddress
from contextvars import ContextVar
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

request_ip: ContextVar[str | None] = ContextVar("request_ip", default=None)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _address(value: str) -> str | None:
    """The address in canonical form, or None when it is not one."""
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip.version == net.version and ip in net for net in networks)


def client_address(request: HttpRequest) -> str | None:
    """The address of the person making the request (see the module's docstring)."""
    peer = _address(request.META.get("REMOTE_ADDR") or "")
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if peer is None or not networks or not _trusted(peer, networks):
        return peer
    header = getattr(settings, "CLIENT_ADDRESS_HEADER", "X-Forwarded-For")
    raw = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
    chain = [_address(part) for part in raw.split(",") if part.strip()]
    client = peer
    for hop in reversed(chain):
        if hop is None:  # a malformed entry: nothing left of it can be believed
            break
        client = hop
        if not _trusted(hop, networks):
            break
    return client
