"""A real HTTP receiving server for the sync tests and the benchmark (not a mock of our
code): it stores every request it gets, counts idempotency keys (a repeat is answered 409
"already have it", as an idempotent platform does), and can be told to fail.

    rx = Receiver().start()          # thread on 127.0.0.1:<free port>
    rx.mode = "down" | "500" | "429" | "ok";  rx.delay = 0.2   # slow down
    rx.url, rx.keys (Counter), rx.received (list of dicts), rx.stop()

Run as a program (``python tests/sync/receiver.py PORT``) it serves until killed and
writes nothing; ``GET /_stats`` answers its counts as JSON.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self, port: int = 0, *, keep_bodies: bool = True):
        self.mode = "ok"
        self.delay = 0.0
        self.fail_first = 0  # answer 500 to the next N requests, then ok
        self.keys: Counter = Counter()  # idempotency key -> how many times it arrived
        self.received: list[dict] = []  # first arrival of each key, in arrival order
        self.requests = 0
        self.keep_bodies = keep_bodies
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self.server.daemon_threads = True
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> Receiver:
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def duplicates(self) -> int:
        return sum(n - 1 for n in self.keys.values() if n > 1)

    def stats(self) -> dict:
        with self.lock:
            return {
                "requests": self.requests,
                "unique": len(self.keys),
                "duplicates": self.duplicates,
            }

    # one item (a single request, or one entry of a batch) -> (status, answer)
    def take(self, key: str, method: str, path: str, body: dict, auth: str) -> tuple[int, dict]:
        with self.lock:
            seen = self.keys[key]
            self.keys[key] += 1
            if seen:
                return 409, {"idempotency_key": key, "status": 409, "detail": "duplicate"}
            n = len(self.received) + 1
            entry = {"key": key, "method": method, "path": path, "auth": auth, "n": n}
            if self.keep_bodies:
                entry["body"] = body
            self.received.append(entry)
            return 201, {"idempotency_key": key, "status": 201, "id": f"R{n}"}


def _handler(rx: Receiver):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms stalls

        def log_message(self, *args):
            pass

        def _answer(self, status: int, body: dict, headers: dict | None = None):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            self._answer(200, rx.stats())

        def _handle(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            with rx.lock:
                rx.requests += 1
                mode = rx.mode
                if rx.fail_first > 0:
                    rx.fail_first -= 1
                    mode = "500"
            if rx.delay:
                time.sleep(rx.delay)
            if mode == "down":
                # drop the connection without an answer, as a dead upstream proxy would
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if mode == "500":
                return self._answer(500, {"detail": "internal error"})
            if mode == "429":
                return self._answer(429, {"detail": "slow down"}, {"Retry-After": "0"})
            if mode == "400":
                return self._answer(400, {"detail": "bad field"})
            body = json.loads(raw or b"{}")
            auth = self.headers.get("Authorization", "")
            if self.path.endswith("/batch"):
                results = []
                for item in body.get("items", []):
                    status, answer = rx.take(
                        item["idempotency_key"], item["method"], item["path"], item["body"], auth
                    )
                    results.append(answer)
                return self._answer(200, {"results": results})
            key = self.headers.get("Idempotency-Key", "")
            status, answer = rx.take(key, self.command, self.path, body, auth)
            return self._answer(status, answer)

        do_POST = _handle
        do_PUT = _handle
        do_DELETE = _handle

    return Handler


if __name__ == "__main__":
    r = Receiver(int(sys.argv[1]) if len(sys.argv) > 1 else 0, keep_bodies=False).start()
    print(r.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        r.stop()
