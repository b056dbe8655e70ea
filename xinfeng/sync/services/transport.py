"""HTTP to a target: one keep-alive connection per target, and what an answer means
(sent, retry later, or dead)."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from .. import conf

RETRYABLE = {408, 425, 429, 500, 502, 503, 504}


@dataclass
class Outcome:
    kind: str  # "sent" | "retry" | "dead"
    error: str = ""
    ack: str = ""
    retry_after: float | None = None


class TargetDown(Exception):
    """The target could not be reached or answered with a server-side failure."""


class Sender:
    """One keep-alive HTTP(S) connection to a target."""

    def __init__(self, target: conf.Target):
        self.target = target
        parts = urlsplit(target.url)
        self.scheme = parts.scheme
        self.host = parts.hostname or ""
        self.port = parts.port
        self.prefix = parts.path.rstrip("/")
        self._conn = None

    def _connection(self):
        if self._conn is None:
            cls = (
                http.client.HTTPSConnection
                if self.scheme == "https"
                else http.client.HTTPConnection
            )
            self._conn = cls(self.host, self.port, timeout=self.target.timeout)
        return self._conn

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def send(self, method: str, path: str, body: dict, key: str) -> tuple[int, dict, dict]:
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "Idempotency-Key": key,
            "User-Agent": "xinfeng-sync/1",
        }
        if self.target.token:
            headers["Authorization"] = f"Bearer {self.target.token}"
        for attempt in (1, 2):  # one silent reconnect: a keep-alive the server had closed
            try:
                conn = self._connection()
                conn.request(method, self.prefix + path, body=data, headers=headers)
                resp = conn.getresponse()
                raw = resp.read()
                answer_headers = {k.lower(): v for k, v in resp.getheaders()}
                if answer_headers.get("connection", "").lower() == "close":
                    self.close()
                try:
                    answer = json.loads(raw) if raw else {}
                except ValueError:
                    answer = {"text": raw[:200].decode("utf-8", "replace")}
                return resp.status, answer, answer_headers
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                self.close()
                if attempt == 2:
                    raise TargetDown(f"{type(exc).__name__}: {exc}") from exc
            except (TimeoutError, OSError, http.client.HTTPException) as exc:
                self.close()
                raise TargetDown(f"{type(exc).__name__}: {exc}") from exc
        raise TargetDown("unreachable")  # pragma: no cover


def _retry_after(headers: dict) -> float | None:
    value = headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def classify(status: int, answer: dict, headers: dict, adapter) -> Outcome:
    if 200 <= status < 300 or status == 409:
        return Outcome("sent", ack=adapter.ack_ref(answer) if isinstance(answer, dict) else "")
    error = f"HTTP {status}: {json.dumps(answer, ensure_ascii=False)[:300]}"
    if status in RETRYABLE or status >= 500:
        return Outcome("retry", error=error, retry_after=_retry_after(headers))
    return Outcome("dead", error=error)
