"""Twilio's Messages API on loopback, for the Twilio backend's tests (the edge of
the world: a real HTTP server in a thread). The backend's own code, the official
SDK and its HTTP client run for real against it."""

import base64
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


class FakeTwilio:
    """Accepts ``POST /2010-04-01/Accounts/<sid>/Messages.json``; records each
    message it accepted; ``down_for`` requests answer 503 first (an outage)."""

    def __init__(self, account_sid, auth_token):
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.accepted: list[dict] = []
        self.refused = 0
        self.down_for = 0
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                form = parse_qs(self.rfile.read(length).decode())
                expected = (
                    "Basic "
                    + base64.b64encode(
                        f"{fake.account_sid}:{fake.auth_token}".encode()
                    ).decode()
                )
                path = f"/2010-04-01/Accounts/{fake.account_sid}/Messages.json"
                if self.headers.get("Authorization") != expected:
                    return self._answer(401, {"code": 20003, "message": "Auth"})
                if self.path != path:
                    return self._answer(404, {"code": 20404, "message": "Not found"})
                with fake.lock:
                    if fake.down_for > 0:
                        fake.down_for -= 1
                        fake.refused += 1
                        return self._answer(503, {"code": 20500, "message": "Down"})
                    sid = "SM" + uuid.uuid4().hex
                    message = {k: v[0] for k, v in form.items()} | {"sid": sid}
                    fake.accepted.append(message)
                body = {
                    "sid": sid,
                    "account_sid": fake.account_sid,
                    "to": message.get("To"),
                    "from": message.get("From"),
                    "body": message.get("Body"),
                    "status": "queued",
                }
                return self._answer(201, body)

        return Handler
