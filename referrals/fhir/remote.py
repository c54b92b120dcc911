"""chwlink as the CBO's "light" client of a health system's FHIR server (the
Gravity IG's polling option): fetch the Tasks the server hosts for the CBO, make
referrals of the new ones, and write the referrals' status back.

The server is the edge of the world: every call has a bounded timeout, an answer
that is not FHIR JSON is an error like a refused connection, and nothing is lost
when the server is down (``poll`` starts again from the last change it saw, and
``writeback`` keeps each status change until the server has it).
"""

import datetime
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zoneinfo

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from django.utils import timezone

from referrals.fhir import ingest
from referrals.fhir.auth import ASSERTION_TYPE

TIMEOUT = 10
SCOPES = (
    "system/Task.rsu system/ServiceRequest.rs system/Patient.rs system/Consent.rs "
    "system/Procedure.c"
)
FHIR_JSON = "application/fhir+json"


class RemoteError(Exception):
    """The server could not be used (down, slow, refused, or answered garbage)."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


def call(method: str, url: str, *, token="", body=None, headers=None, form=None):
    """One HTTP call; returns (status, headers, JSON body)."""
    if not url.startswith(("https://", "http://")):
        raise RemoteError(f"{url}: only http(s) addresses are called")
    data, sent = None, {"Accept": FHIR_JSON} | (headers or {})
    if token:
        sent["Authorization"] = f"Bearer {token}"
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        sent["Content-Type"] = FHIR_JSON
    # The scheme is checked above: never file: or a custom one.
    request = urllib.request.Request(url, data=data, headers=sent, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            status, answer, raw = response.status, response.headers, response.read()
    except urllib.error.HTTPError as refused:
        status, answer, raw = refused.code, refused.headers, refused.read()
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise RemoteError(f"{method} {url}: {error}") from error
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        raise RemoteError(
            f"{method} {url}: the answer ({status}) is not JSON", status=status
        ) from None
    if status >= 400:
        raise RemoteError(f"{method} {url}: {status} {raw[:300]!r}", status=status)
    return status, answer, parsed


def _algorithm(private_key) -> str:
    return "ES384" if isinstance(private_key, ec.EllipticCurvePrivateKey) else "RS384"


def token_for(client, scopes: str = SCOPES) -> str:
    """An access token from the server's token endpoint, for chwlink's signed
    assertion (SMART Backend Services, as chwlink asks its own clients)."""
    key = load_pem_private_key(client.server_private_key.encode(), password=None)
    now = int(time.time())
    assertion = jwt.encode(
        {
            "iss": client.server_client_id,
            "sub": client.server_client_id,
            "aud": client.server_token_url,
            "exp": now + 240,
            "jti": uuid.uuid4().hex,
        },
        key,
        algorithm=_algorithm(key),
        headers={"kid": client.server_key_id} if client.server_key_id else None,
    )
    _status, _headers, body = call(
        "POST",
        client.server_token_url,
        form={
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion,
            "scope": scopes,
        },
    )
    if not isinstance(body, dict) or not body.get("access_token"):
        raise RemoteError("The token endpoint gave no access_token.")
    return body["access_token"]


def fetcher(client):
    """For a Task a clinic POSTs whose references point at its own server: fetch
    them there (with chwlink's token for that server); None for anywhere else."""
    if not client.server_url:
        return None
    token = []

    def fetch(url: str):
        if not url.startswith(base(client)):
            return None
        try:
            token or token.append(token_for(client))
            return call("GET", url, token=token[0])[2]
        except RemoteError as error:
            raise ingest.Unprocessable(
                f"{url}: {error}", expression="Task.focus", code="transient"
            ) from None

    return fetch


def base(client) -> str:
    return client.server_url.rstrip("/") + "/"


def _absolute(client, reference: str) -> str:
    if reference.startswith(("http://", "https://")):
        return reference
    return base(client) + reference


def _search_url(client, includes: bool) -> str:
    params = [("owner", client.server_owner)]
    if client.poll_since:
        params.append(("_lastUpdated", f"gt{client.poll_since}"))
    if includes:
        params += [("_include", "Task:focus"), ("_include", "Task:patient")]
    return f"{base(client)}Task?{urllib.parse.urlencode(params)}"


def _pages(client, token: str):
    """Every page of the search, following ``next`` on the same server only;
    a server that refuses ``_include`` is asked again without it (the IG lets
    the client fetch the focus itself)."""
    try:
        url = _search_url(client, includes=True)
        _s, _h, bundle = call("GET", url, token=token)
    except RemoteError as error:
        if error.status != 400:
            raise
        _s, _h, bundle = call("GET", _search_url(client, includes=False), token=token)
    while True:
        if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
            raise RemoteError("The Task search did not answer with a Bundle.")
        yield bundle
        nexts = [
            link.get("url", "")
            for link in bundle.get("link") or []
            if link.get("relation") == "next"
        ]
        if not nexts or not nexts[0].startswith(base(client)):
            return
        _s, _h, bundle = call("GET", nexts[0], token=token)


def _fetch(client, token, resolver, reference: str, kind: str) -> None:
    if not reference or reference in resolver.by_reference:
        return
    _s, _h, resource = call("GET", _absolute(client, reference), token=token)
    resource = ingest.parsed(resource, kind)
    resolver.by_reference[reference] = resource
    resolver.add(resource)


def _consent(client, token, resolver, patient_reference: str) -> None:
    if resolver.all_of("Consent"):
        return
    query = urllib.parse.urlencode({"patient": patient_reference, "status": "active"})
    _s, _h, bundle = call("GET", f"{base(client)}Consent?{query}", token=token)
    for entry in (bundle or {}).get("entry") or []:
        resolver.add(ingest.parsed(entry.get("resource")), entry.get("fullUrl", ""))


def _receive(client, token, resolver, task: dict) -> bool:
    """Make the referral of one new Task (False when it was made before)."""
    if ingest.existing(client, base(client), task["id"]):
        return False
    _fetch(
        client,
        token,
        resolver,
        task.get("focus", {}).get("reference"),
        "ServiceRequest",
    )
    service_request = resolver.by_reference.get(task.get("focus", {}).get("reference"))
    for reason in (service_request or {}).get("reasonReference") or []:
        _fetch(client, token, resolver, reason.get("reference"), "Condition")
    _fetch(client, token, resolver, task.get("for", {}).get("reference"), "Patient")
    _consent(client, token, resolver, task["for"]["reference"])
    ours = dict(task)
    # The server's own id is what a status write-back addresses.
    ours["identifier"] = [{"system": base(client), "value": task["id"]}]
    ours["owner"] = {"reference": f"Organization/{client.server_partnership.cbo.code}"}
    ingest.referral_receive(client=client, task=ours, resolver=resolver)
    return True


def poll(client) -> tuple[int, list[str]]:
    """Fetch the Tasks changed on the server since the last change seen (its
    clock, not ours); make referrals of the new ones. Returns how many were
    made and what could not be taken (each Task on its own)."""
    token = token_for(client)
    made, problems, latest = 0, [], client.poll_since
    for bundle in _pages(client, token):
        resolver = ingest.Resolver()
        tasks = []
        for entry in bundle.get("entry") or []:
            stamped = _last_updated(entry.get("resource"))
            resource = ingest.parsed(entry.get("resource"))
            resolver.add(resource, entry.get("fullUrl", ""))
            if resource["resourceType"] == "Task":
                tasks.append(resource)
                latest = _later(latest, stamped)
        for task in tasks:
            if task.get("status") != "requested":
                continue
            try:
                made += _receive(client, token, resolver, task)
            except ingest.Unprocessable as refused:
                problems.append(f"Task/{task.get('id')}: {refused.diagnostics}")
    client.poll_since = latest
    return made, problems


def _last_updated(resource) -> str:
    """The server's own spelling of when it last changed the resource (sent
    back as it came: the server compares it, not us)."""
    meta = resource.get("meta") if isinstance(resource, dict) else None
    stamp = meta.get("lastUpdated") if isinstance(meta, dict) else None
    return stamp if isinstance(stamp, str) else ""


def _later(seen: str, stamp: str) -> str:
    """The later of two FHIR instants, compared as times (a server may write
    them with any precision or offset), kept as the server wrote it."""
    if not stamp:
        return seen
    if not seen:
        return stamp
    try:
        later = datetime.datetime.fromisoformat(
            stamp
        ) > datetime.datetime.fromisoformat(seen)
    except (ValueError, TypeError):
        return seen
    return stamp if later else seen


BUSINESS_HOURS = (8, 18)


def poll_due(client, now=None, closed: frozenset = frozenset()) -> bool:
    """The IG's cadence: hourly in the partnership's business hours, at least
    once a day otherwise, never twice within 15 minutes. ``closed``: the days the
    partnership does not work (``partners.calendars``)."""
    from referrals.services.timeliness import is_business_day

    now = now or timezone.now()
    if client.polled_at is None:
        return True
    since = now - client.polled_at
    if since < datetime.timedelta(minutes=15):
        return False
    partnership = client.server_partnership
    local = timezone.localtime(now, zoneinfo.ZoneInfo(partnership.time_zone))
    working = is_business_day(
        local.date(), frozenset(partnership.business_days), closed
    ) and (BUSINESS_HOURS[0] <= local.hour < BUSINESS_HOURS[1])
    return since >= datetime.timedelta(hours=1 if working else 24)
