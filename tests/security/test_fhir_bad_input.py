"""Generated bad input against the FHIR API: the IG's referral with an element
replaced by a wrong type, removed, joined by an unknown one, a reference pointed
elsewhere, or the Bundle grown huge. Never a server error, always an
OperationOutcome, and nothing half-saved."""

import copy
import json

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referrals.tests.fhir_clients import Ehr
from referrals.tests.test_fhir_api_writes import ig_referral
from tests.security.conftest import fingerprint

pytestmark = pytest.mark.django_db

JSON_VALUE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
REFERENCE = st.sampled_from(
    [
        "Patient/nobody",
        "http://elsewhere.example/fhir/Patient/1",
        "urn:uuid:00000000-0000-0000-0000-000000000000",
        "ServiceRequest/",
        "#missing",
        "",
    ]
)


def _paths(value, path=()):
    """Every place in a JSON document, as a path of keys and indexes."""
    yield path
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _paths(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _paths(inner, (*path, index))


def _at(document, path):
    for step in path:
        document = document[step]
    return document


@st.composite
def spoiled_referrals(draw, bundle):
    bundle = copy.deepcopy(bundle)
    kinds = ["replace", "remove", "unknown", "reference"]
    kind = draw(st.sampled_from(kinds + ["huge"] if "entry" in bundle else kinds))
    if kind == "huge":
        entry = bundle["entry"][-1]
        bundle["entry"] += [
            copy.deepcopy(entry) for _ in range(draw(st.integers(50, 400)))
        ]
        return kind, bundle
    if kind == "reference":
        places = [p for p in _paths(bundle) if p and p[-1] == "reference"] or [
            ("focus",)
        ]
    else:
        places = [p for p in _paths(bundle) if p]
    path = draw(st.sampled_from(places))
    parent, last = _at(bundle, path[:-1]), path[-1]
    if kind == "replace":
        parent[last] = draw(JSON_VALUE)
    elif kind == "reference":
        parent[last] = draw(REFERENCE)
    elif kind == "remove":
        del parent[last]
    else:
        target = _at(bundle, path)
        if not isinstance(target, dict):
            target, path = parent if isinstance(parent, dict) else bundle, path[:-1]
        target[
            draw(st.sampled_from(["extra", "_status", "valueFoo", "resourceType2"]))
        ] = draw(JSON_VALUE)
    return f"{kind} {'/'.join(map(str, path))}", bundle


@pytest.fixture
def caller(clinic, partnership, client):
    ehr = Ehr(clinic)
    return ehr, ehr.token(client), ig_referral(partnership)


EXAMPLES = settings(
    max_examples=60,
    database=None,
    # Each example is a full request on PostgreSQL: its time follows the machine's
    # load, not the input.
    deadline=None,
    suppress_health_check=[
        # The token and the client are shared on purpose; each example's writes
        # are rolled back.
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@EXAMPLES
@given(data=st.data())
def test_a_spoiled_referral_is_refused_plainly_or_taken_whole(caller, client, data):
    _ehr, token, bundle = caller
    what, spoiled = data.draw(spoiled_referrals(bundle))
    with transaction.atomic():
        before = fingerprint()
        response = client.post(
            "/fhir/",
            json.dumps(spoiled),
            content_type="application/fhir+json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        after = fingerprint()
        transaction.set_rollback(True)
    answer = _refused_plainly_or_taken(response, before, after, what)
    if answer is not None:
        # Some changes leave a valid referral (an unknown extension, a lost
        # optional element): then it is made once, whole.
        assert answer["type"] == "transaction-response", what
        assert after != before, what


def _refused_plainly_or_taken(response, before, after, what) -> dict | None:
    """Never a server error; a refusal is an OperationOutcome saying why, with
    nothing changed. Returns the answer when it was taken."""
    assert response.status_code < 500, (what, response.content[:500])
    answer = response.json()
    if response.status_code < 400:
        return answer
    assert answer["resourceType"] == "OperationOutcome", what
    assert answer["issue"][0]["diagnostics"], what
    assert after == before, what
    return None


@pytest.fixture
def task_read(caller, client):
    ehr, token, bundle = caller
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    made = client.post(
        "/fhir/", json.dumps(bundle), content_type="application/fhir+json", **headers
    )
    location = made.json()["entry"][0]["response"]["location"]
    path = "/fhir/" + location.split("/_history")[0]
    read = client.get(path, **headers)
    return token, path, read.json(), read["ETag"]


@EXAMPLES
@given(data=st.data())
def test_a_spoiled_update_of_the_task_is_refused_plainly_or_taken_whole(
    task_read, client, data
):
    token, path, task, etag = task_read
    what, spoiled = data.draw(spoiled_referrals(task))
    with transaction.atomic():
        before = fingerprint()
        response = client.put(
            path,
            json.dumps(spoiled),
            content_type="application/fhir+json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
            HTTP_IF_MATCH=etag,
        )
        after = fingerprint()
        transaction.set_rollback(True)
    answer = _refused_plainly_or_taken(response, before, after, what)
    if answer is not None:
        assert answer["resourceType"] == "Task", what
