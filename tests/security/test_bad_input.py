"""Bad input never breaks a form: generated data (empty, huge, Unicode, control
characters, wrong types, missing and extra fields) posted to every form that accepts
POST, as a role allowed to use it. Never a server error; invalid input shows errors,
writes nothing, and shows back what the user typed (HTML-escaped)."""

import uuid

import pytest
from django import forms
from django.db import transaction
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.conftest import fingerprint
from tests.security.matrix import MATRIX

pytestmark = pytest.mark.django_db

WORKING_ROLES = ("clinic", "supervisor", "navigator", "manager", "administrator")
ACCEPTED = {200, 302, 400}

# Views that take POST only: the fields they read (the others are discovered from
# the form their GET page shows).
POST_ONLY_FIELDS = {
    "partners:language": ["language", "next"],
    "partners:plan-task-move": ["direction"],
    "partners:statement-issue": ["month"],
    "referrals:referral-message": ["text"],
    "referrals:pathway-step-add": ["title"],
    "referrals:pathway-resource-link": ["service", "note"],
    "referrals:pathway-review": ["decision", "note"],
    "referrals:referral-submit": ["version"],
    "referrals:text-send": ["kind", "body"],
    "referrals:text-consent": ["given", "method"],
    "referrals:visit-new": ["starts_at"],
    "referrals:text-match": ["referral"],
    "evaluation:report-request": [
        "start",
        "end",
        "clinic",
        "navigator",
        "language",
        "need",
        "window",
    ],
    "evaluation:utilization-import-confirm": ["action"],
}

NASTY = st.sampled_from(
    [
        "",
        " ",
        "-1",
        "0",
        "1e309",
        "NaN",
        "99999999999999999999999",
        "2026-02-30",
        "13/45/2026",
        "null",
        "true",
        "[]",
        "{'a': 1}",
        "00000000-0000-0000-0000-000000000000",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "../../etc/passwd",
        "\x00",
        "\u202eevil",
        "😀" * 50,
    ]
)
VALUE = st.one_of(
    NASTY,
    st.text(max_size=40),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=10),
    st.integers().map(str),
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=3), st.just(20_000)),
)
# A field may be missing, sent once, or sent several times.
FIELD_VALUE = st.one_of(VALUE, st.lists(VALUE, min_size=2, max_size=3))
EXTRA = st.dictionaries(st.text(min_size=1, max_size=12), VALUE, max_size=3)


def _role_for(name):
    for role in WORKING_ROLES:
        if MATRIX[name][role][1] in ACCEPTED:
            return role
    return None


# Pages that only read: they answer a POST as they answer a GET and save nothing.
READ_ONLY = {
    "home",
    "session-status",
    "partners:audit-search",
    "partners:audit-changes-export",
    "partners:audit-export",
    "partners:patient-audit",
    "partners:partnership-list",
    "partners:partnership-detail",
    "partners:invitation-list",
    "partners:contract-document",
    "partners:plan",
    "partners:training-mine",
    "partners:training",
    "partners:statements",
    "partners:statement-detail",
    "partners:statement-csv",
    "partners:navigator-time",
    "referrals:clinic-referral-list",
    "referrals:all-referrals",
    "referrals:team-board",
    "referrals:inbox",
    "referrals:caseload",
    "referrals:notification-list",
    "referrals:notification-unread-count",
    "referrals:notification-open",
    "referrals:patient-detail",
    "referrals:resource-list",
    "referrals:resource-detail",
    "referrals:resource-print",
    "referrals:resource-download",
    "referrals:resource-import-preview",
    "referrals:pathway-approvals",
    "referrals:texts-to-match",
    "referrals:pathway-detail",
    "referrals:referral-detail",
    "referrals:screening-detail",
    "evaluation:dashboard",
    "evaluation:export-dataset",
    "evaluation:export-stories",
    "evaluation:export-table",
    "evaluation:report-list",
    "evaluation:report-detail",
    "evaluation:report-status",
    "evaluation:report-csv",
    "evaluation:pam-due",
    "evaluation:pam-detail",
    "evaluation:patient-pam",
    "evaluation:story-list",
    "evaluation:story-detail",
    "evaluation:utilization-list",
    "evaluation:utilization-import-preview",
}
# Fields that name a record by its code: a well-formed code of no record the user
# may see is answered 404, as a stranger's record is (it must not tell them apart).
CODE_FIELDS = {
    "referrals:pathway-resource-link": {"service"},
    "referrals:text-match": {"referral"},
}
# A search answers valid input with results, not errors.
SEARCHES = {"referrals:referral-new"}
# Where the page cannot show a field back, and why.
NOT_SHOWN_BACK = {
    # The note belongs to one search result; with a bad service there is no row.
    "referrals:pathway-resource-link": {"note"},
    # The review form is only on a pathway waiting for approval; this one is open.
    "referrals:pathway-review": {"note"},
}
POST_FORMS = sorted(set(MATRIX) - READ_ONLY)


def test_every_url_is_either_read_only_or_has_its_bad_input_test():
    assert set(MATRIX) >= READ_ONLY
    assert all(_role_for(name) for name in set(MATRIX) - READ_ONLY)


def _forms_in(response):
    contexts = response.context or []
    if not isinstance(contexts, list):
        contexts = [contexts]
    found = {
        id(value): value
        for context in contexts
        for value in context.flatten().values()
        if isinstance(value, forms.BaseForm)
    }
    return list(found.values())


def _text_fields(form):
    return {
        name
        for name, field in form.fields.items()
        if isinstance(field, forms.CharField)
        and not isinstance(field.widget, forms.HiddenInput | forms.PasswordInput)
    }


def _is_uuid(value) -> bool:
    value = value[-1] if isinstance(value, list) else value
    try:
        uuid.UUID(value.strip())
    except (AttributeError, ValueError):
        return False
    return True


@pytest.fixture
def form_under_test(world, signed_in, request):
    name = request.param
    url = reverse(name, kwargs=world.kwargs.get(name, {}))
    user = world.users[_role_for(name)]
    client = signed_in(user)
    fields = POST_ONLY_FIELDS.get(name)
    if fields is None:
        fields = sorted(
            {field for form in _forms_in(client.get(url)) for field in form.fields}
        )
    return name, user, client, url, fields


@pytest.mark.parametrize("form_under_test", POST_FORMS, indirect=True)
@settings(
    max_examples=8,
    database=None,
    # Each example is a full request on PostgreSQL (a page, a form, two fingerprint
    # queries, a rollback): how long it takes depends on the machine's load, not on
    # the input, so a per-example deadline (200 ms unless told otherwise) would
    # fail a busy run without having found anything.
    deadline=None,
    suppress_health_check=[
        # Shared on purpose by the examples: the world and the signed-in client.
        # Each example's writes (its session's too) are rolled back, and each
        # checks that it still ran as that user.
        HealthCheck.function_scoped_fixture,
        # Wall-clock time spent drawing the inputs, which swings with the load.
        HealthCheck.too_slow,
    ],
)
@given(data=st.data())
def test_generated_input_never_breaks_a_form(form_under_test, data):
    name, user, client, url, fields = form_under_test
    posted = data.draw(
        st.fixed_dictionaries({}, optional=dict.fromkeys(fields, FIELD_VALUE))
    )
    posted = data.draw(EXTRA) | posted
    with transaction.atomic():
        before = fingerprint()
        response = client.post(url, posted)
        after = fingerprint()
        transaction.set_rollback(True)
    # Not signed out by an earlier example: the role's rules were the ones tried.
    assert response.wsgi_request.user == user, (url, posted)
    if response.status_code == 404:
        assert after == before, (url, posted)
        assert any(_is_uuid(posted.get(f)) for f in CODE_FIELDS.get(name, ())), (
            url,
            posted,
        )
        return
    assert response.status_code in ACCEPTED, (url, posted, response.status_code)
    if response.status_code == 302:
        return
    assert after == before, (url, posted)
    bound = [form for form in _forms_in(response) if form.is_bound]
    # An empty POST may show the blank form again (``request.POST or None``).
    if name not in SEARCHES:
        assert any(form.errors for form in bound) or not posted, (url, posted)
    content = response.content.decode()
    for form in bound:
        for field in _text_fields(form) & set(posted) - NOT_SHOWN_BACK.get(name, set()):
            value = posted[field]
            value = value[-1] if isinstance(value, list) else value
            if value.strip() and "\x00" not in value:
                assert escape(value) in content, (url, field, value)


def test_a_report_request_with_a_bad_date_is_refused_without_a_server_error(
    world, signed_in
):
    client = signed_in(world.users["manager"])
    response = client.post(reverse("evaluation:report-request"), {"start": "soon"})
    assert response.status_code in {200, 302, 400}


def test_switching_language_with_an_odd_next_address_lands_on_a_page(client):
    response = client.post(
        reverse("partners:language"), {"language": "es", "next": "x"}
    )
    assert response.status_code == 302
