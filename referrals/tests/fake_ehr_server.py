"""A health system's FHIR server on loopback, for the light client's tests (the
edge of the world: a real HTTP server in a thread, holding Tasks in memory)."""

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import jwt


class FakeEhr:
    """Tasks, ServiceRequests, Patients, Consents and Procedures by id; what was
    PUT, in order; switches to refuse ``_include``, to answer garbage, or to be
    down (every request refused with 503)."""

    def __init__(self, public_key):
        self.public_key = public_key
        self.resources: dict[str, dict] = {}
        self.versions: dict[str, int] = {}
        self.puts: list[tuple[str, str]] = []
        self.procedures: dict[str, dict] = {}
        self.refuse_include = False
        self.garbage = False
        self.down = False
        self.requests: list[str] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_port}/fhir/"
        self.token_url = f"http://127.0.0.1:{self.server.server_port}/token"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def add(self, resource: dict, last_updated="2020-09-11T22:00:00Z") -> None:
        key = f"{resource['resourceType']}/{resource['id']}"
        resource = json.loads(json.dumps(resource))
        resource.setdefault("meta", {})["lastUpdated"] = last_updated
        self.resources[key] = resource
        self.versions[key] = 1

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body=None, headers=None, raw=None):
                data = raw if raw is not None else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/fhir+json")
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self):
                length = int(self.headers.get("Content-Length", 0))
                return self.rfile.read(length)

            def _authorised(self):
                return self.headers.get("Authorization") == "Bearer fake-token"

            def _refused(self):
                fake.requests.append(f"{self.command} {self.path}")
                if fake.down:
                    self._send(503, {"resourceType": "OperationOutcome"})
                    return True
                if fake.garbage:
                    self._send(200, raw=b"<html>maintenance</html>")
                    return True
                if not self.path.startswith("/token") and not self._authorised():
                    self._send(401, {"resourceType": "OperationOutcome"})
                    return True
                return False

            def do_POST(self):
                if self._refused():
                    return
                body = self._body()
                if self.path == "/token":
                    form = parse_qs(body.decode())
                    jwt.decode(
                        form["client_assertion"][0],
                        fake.public_key,
                        algorithms=["ES384"],
                        audience=fake.token_url,
                    )
                    self._send(200, {"access_token": "fake-token", "expires_in": 300})
                    return
                procedure = json.loads(body)
                key = self.headers.get("If-None-Exist", "")
                with fake.lock:
                    if key in fake.procedures:
                        self._send(200, fake.procedures[key])
                        return
                    procedure["id"] = uuid.uuid4().hex[:12]
                    fake.procedures[key] = procedure
                self._send(201, procedure, {"Location": f"Procedure/{procedure['id']}"})

            def do_GET(self):
                if self._refused():
                    return
                url = urlparse(self.path)
                path = url.path.removeprefix("/fhir/")
                query = parse_qs(url.query)
                if path == "Task":
                    self._search(query)
                elif path == "Consent":
                    patient = query["patient"][0]
                    consents = [
                        r for k, r in fake.resources.items()
                        if k.startswith("Consent/")
                        and r["patient"]["reference"] == patient
                    ]  # fmt: skip
                    self._send(200, _bundle([(c, "match") for c in consents]))
                elif path in fake.resources:
                    self._send(
                        200,
                        fake.resources[path],
                        {"ETag": f'W/"{fake.versions[path]}"'},
                    )
                else:
                    self._send(404, {"resourceType": "OperationOutcome"})

            def _search(self, query):
                if fake.refuse_include and "_include" in query:
                    self._send(400, {"resourceType": "OperationOutcome"})
                    return
                since = query.get("_lastUpdated", ["gt"])[0].removeprefix("gt")
                tasks = [
                    r for k, r in fake.resources.items()
                    if k.startswith("Task/")
                    and r["owner"]["reference"] == query["owner"][0]
                    and r["meta"]["lastUpdated"] > since
                ]  # fmt: skip
                entries = [(t, "match") for t in tasks]
                if "Task:focus" in query.get("_include", []):
                    entries += [
                        (fake.resources[t["focus"]["reference"]], "include")
                        for t in tasks
                    ]
                self._send(200, _bundle(entries))

            def do_PUT(self):
                if self._refused():
                    return
                path = urlparse(self.path).path.removeprefix("/fhir/")
                with fake.lock:
                    current = f'W/"{fake.versions[path]}"'
                    if self.headers.get("If-Match") != current:
                        self._send(412, {"resourceType": "OperationOutcome"})
                        return
                    task = json.loads(self._body())
                    fake.versions[path] += 1
                    fake.resources[path] = task
                    fake.puts.append((path, task["status"]))
                self._send(200, task, {"ETag": f'W/"{fake.versions[path]}"'})

        return Handler


def _bundle(entries):
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [
            {
                "fullUrl": f"{r['resourceType']}/{r['id']}",
                "resource": r,
                "search": {"mode": mode},
            }
            for r, mode in entries
        ],
    }
