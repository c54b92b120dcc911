"""A health system's FHIR server that nobody here wrote: Medplum's FHIR router over
its in-memory repository (``tests/medplum/server.mjs``, installed from the npm
registry by ``make test``), started on loopback for the light client's tests.
Without Node or the installed package the tests skip on a laptop and fail in CI."""

import json
import shutil
import subprocess
import urllib.request
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from django.conf import settings

from conftest import service_missing

FOLDER = Path(settings.BASE_DIR) / "tests" / "medplum"


class MedplumEhr:
    def __init__(self, public_key):
        node = shutil.which("node")
        if not node:
            service_missing("node is not installed (the Medplum FHIR server)")
        if not (FOLDER / "node_modules" / "@medplum" / "fhir-router").exists():
            service_missing("tests/medplum is not installed: run `make test`")
        pem = public_key.public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo,
        ).decode()
        self.process = subprocess.Popen(  # noqa: S603 (our own script)
            [node, "--experimental-websocket", "--no-warnings", "server.mjs"],
            cwd=FOLDER,
            env={"CLIENT_PUBLIC_KEY_PEM": pem, "PATH": "/usr/bin:/bin"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        first = self.process.stdout.readline()
        if not first.startswith("listening "):
            self.process.kill()
            raise RuntimeError(f"Medplum did not start: {self.process.stderr.read()}")
        root = f"http://127.0.0.1:{first.split()[1]}"
        self.root = root
        self.base = f"{root}/fhir/"
        self.token_url = f"{root}/token"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.process.kill()
        self.process.wait()
        self.process.stdout.close()
        self.process.stderr.close()

    def _call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 (loopback)
            self.root + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/fhir+json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return json.loads(response.read())

    def seed(self, resource: dict) -> dict:
        """Store a resource with its own id, as the health system made it."""
        return self._call("POST", "/seed", resource)

    def requests(self) -> list[dict]:
        """What chwlink asked, in order: method, url and If-Match of each."""
        return self._call("GET", "/requests")

    def read(self, path: str) -> dict:
        """A resource or search on the server (``Task/1``, ``Procedure?…``), as
        the health system's own users see it."""
        return self._call("GET", f"/inspect/{path}")
