"""A robot's webhook on loopback: an HTTP server in a thread that records what it receives.

It speaks as 企业微信 and 钉钉 do: 200 with `{"errcode": 0}`; for a 钉钉 robot with a secret
it checks the signature (timestamp within an hour, sign = Base64(HMAC-SHA256(secret,
"timestamp\\nsecret"))) and answers 310000 "sign not match" with HTTP 400 when it is wrong.
`fail_next` makes the next posts fail with HTTP 500 (a robot that is down).
"""

import base64
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class Received:
    path: str
    query: dict[str, str]
    payload: dict[str, Any]
    at: float

    @property
    def text(self) -> str:
        p = self.payload
        if p.get("msgtype") == "markdown":
            return str(p["markdown"]["text"])
        return str(p.get("text", {}).get("content", ""))


@dataclass
class Receiver:
    secret: str = ""
    fail_next: int = 0
    received: list[Received] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        assert self.server is not None
        port = self.server.server_address[1]
        return f"http://127.0.0.1:{port}"

    def dingtalk_url(self, token: str = "abc123") -> str:
        return f"{self.base}/robot/send?access_token={token}"

    def wecom_url(self, key: str = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa") -> str:
        return f"{self.base}/cgi-bin/webhook/send?key={key}"

    def sign_ok(self, query: dict[str, str]) -> bool:
        stamp, sign = query.get("timestamp", ""), query.get("sign", "")
        if not stamp.isdigit() or abs(time.time() * 1000 - int(stamp)) > 3_600_000:
            return False
        digest = hmac.new(
            self.secret.encode(), f"{stamp}\n{self.secret}".encode(), hashlib.sha256
        ).digest()
        expected = base64.b64encode(digest).decode()
        return hmac.compare_digest(unquote(sign), expected) or hmac.compare_digest(sign, expected)

    def handle(self, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        parts = urlsplit(path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        with self.lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return 500, {"errcode": -1, "errmsg": "system busy"}
            if self.secret and parts.path.startswith("/robot/") and not self.sign_ok(query):
                self.refused.append(path)
                return 400, {"errcode": 310000, "errmsg": "sign not match"}
            payload = json.loads(body.decode() or "{}")
            self.received.append(Received(parts.path, query, payload, time.monotonic()))
        return 200, {"errcode": 0, "errmsg": "ok"}

    def __enter__(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                status, answer = receiver.handle(self.path, self.rfile.read(length))
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()
