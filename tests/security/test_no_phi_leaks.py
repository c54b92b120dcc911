"""No PHI in logs, e-mails, task arguments or URLs.

The main flows run through the pages as users do (register a patient and submit a
referral, accept, assign, log a contact, open and close a pathway, approve it, close
the referral), then the reminders sweep a month later and a password reset. Every log
record (DEBUG and up), every saved and sent e-mail, the arguments of every enqueued
Celery task and every address visited or redirected to are searched for the
patients' names, dates of birth, phone numbers and medical record numbers.
"""

import datetime
import logging
import zoneinfo

import pytest
import time_machine
from celery.app.task import Task
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from chwlink.lib.models import OutboundEmail
from referrals.models import Pathway, Patient, Referral
from referrals.tasks import reminders_sweep_task
from tests.security.world import OTHER_PATIENTS, PATIENTS

pytestmark = pytest.mark.django_db

NEW_PATIENT = {
    "first_name": "Esperanza",
    "last_name": "Villanueva",
    "date_of_birth": "1963-04-22",
    "mrn": "CH-990017",
    "phone": "503-555-0199",
    "sex": "female",
    "preferred_language": "es",
    "city": "Portland",
    "state": "OR",
    "texts_ok": "on",
}


def _phi_markers() -> set[str]:
    """What would identify a patient: full and last names, birth dates in the usual
    spellings, MRNs and phone numbers (with and without punctuation)."""
    markers = set()
    people = [
        (p.first_name, p.last_name, p.date_of_birth, p.mrn, p.phone)
        for p in Patient.objects.all()
    ]
    for first, last, born, mrn, phone in people:
        markers |= {f"{first} {last}", last, mrn}
        if phone:
            national = phone.as_national  # (503) 555-0199
            digits = "".join(c for c in national if c.isdigit())
            dashed = f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
            markers |= {phone.as_e164, national, digits, dashed}
        markers |= {
            born.isoformat(),
            born.strftime("%m/%d/%Y"),
            born.strftime("%d/%m/%Y"),
        }
    return {marker for marker in markers if marker}


class Recorder:
    """What left the request: addresses, task arguments (instead of sending)."""

    def __init__(self):
        self.urls = []
        self.tasks = []

    def apply_async(self, task, args=None, kwargs=None, **options):
        self.tasks.append((task.name, tuple(args or ()), dict(kwargs or {})))


@pytest.fixture
def recorder(monkeypatch):
    recorded = Recorder()

    def apply_async(task, args=None, kwargs=None, **options):
        recorded.apply_async(task, args, kwargs, **options)

    monkeypatch.setattr(Task, "apply_async", apply_async)
    return recorded


def _form_errors(response):
    contexts = response.context or []
    return [
        value.errors
        for context in contexts
        for value in context.flatten().values()
        if getattr(value, "errors", None) and hasattr(value, "is_bound")
    ]


@pytest.fixture
def act(signed_in, recorder, django_capture_on_commit_callbacks):
    """Make one request as a user, with commit hooks run, and note its addresses."""

    def request(user, name, data=None, expect=302, **kwargs):
        url = reverse(name, kwargs=kwargs)
        client = signed_in(user)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.get(url) if data is None else client.post(url, data)
        recorder.urls.append(url)
        if "Location" in response:
            recorder.urls.append(response["Location"])
        assert response.status_code == expect, (url, _form_errors(response))
        return response

    return request


def _run_the_main_flows(world, act):
    clinic, supervisor = world.users["clinic"], world.users["supervisor"]
    navigator = world.users["navigator"]
    _, last, born, *_ = PATIENTS[0]
    search = {"last_name": last, "date_of_birth": born.isoformat()}
    act(clinic, "referrals:referral-new", search, expect=200)
    act(clinic, "referrals:patient-new", NEW_PATIENT)
    patient = Patient.objects.get(mrn=NEW_PATIENT["mrn"])
    act(
        clinic,
        "referrals:referral-create",
        {
            "clinic": clinic.site_id,
            "social_needs": ["food-insecurity"],
            "medical_reasons": ["diabetes"],
            "urgency": "routine",
            "consent_given": "on",
            "consent_source": "verbal",
            "action": "submit",
        },
        patient_code=patient.code,
    )
    referral = Referral.objects.get(patient=patient)
    act(clinic, "referrals:referral-detail", code=referral.code, expect=200)
    act(
        supervisor,
        "referrals:referral-transition",
        {"version": referral.version},
        code=referral.code,
        action="accept",
    )
    referral.refresh_from_db()
    act(
        supervisor,
        "referrals:referral-assign",
        {"version": referral.version, "navigator": navigator.pk},
        code=referral.code,
    )
    local = timezone.localtime(timezone=zoneinfo.ZoneInfo(world.partnership.time_zone))
    act(
        navigator,
        "referrals:encounter-new",
        {
            "occurred_at": local.strftime("%Y-%m-%dT%H:%M"),
            "mode": "phone",
            "reached": "yes",
            "minutes": "20",
            "note": "Talked about food for the family.",
        },
        code=referral.code,
    )
    act(
        navigator,
        "referrals:pathway-new",
        {"need": "food-insecurity", "goal": "Enough food every week"},
        code=referral.code,
    )
    pathway = Pathway.objects.get(referral=referral)
    act(
        navigator,
        "referrals:pathway-close",
        {"outcome": "completed", "note": "Pantry visits weekly."},
        code=pathway.code,
    )
    act(
        supervisor,
        "referrals:pathway-review",
        {"decision": "approve", "note": ""},
        code=pathway.code,
    )
    referral.refresh_from_db()
    closing = {
        "version": referral.version,
        "outcome_food-insecurity": "resolved",
        "note": "Pantry visits weekly.",
    }
    act(
        navigator,
        "referrals:referral-transition",
        closing,
        code=referral.code,
        action="complete",
        expect=200,
    )
    act(
        navigator,
        "referrals:referral-transition",
        closing | {"confirm": "1"},
        code=referral.code,
        action="complete",
    )
    page = act(navigator, "referrals:patient-detail", code=patient.code, expect=200)
    # The search below would find a leak: the patient's own page does show the name.
    assert "Esperanza Villanueva" in page.content.decode()
    act(None, "account_reset_password", {"email": clinic.email})


def _send_what_was_queued(recorder):
    """Run the recorded e-mail tasks as the worker would, so the outbox fills."""
    from chwlink.lib.outbox import email_send_task

    for name, args, kwargs in list(recorder.tasks):
        if name == email_send_task.name:
            email_send_task.run(*args, **kwargs)


def test_no_patient_detail_reaches_logs_emails_tasks_or_addresses(
    world, act, recorder, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    _run_the_main_flows(world, act)
    with (
        time_machine.travel(timezone.now() + datetime.timedelta(days=30)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        reminders_sweep_task()
    _send_what_was_queued(recorder)

    emails = [
        " ".join((e.to, e.subject, e.body_text, e.body_html))
        for e in OutboundEmail.objects.all()
    ] + [
        " ".join((*m.to, m.subject, m.body, *(str(a[0]) for a in m.alternatives)))
        for m in mail.outbox
    ]
    logs = [
        f"{record.name} {record.getMessage()} {record.exc_text or ''}"
        for record in caplog.records
    ]
    tasks = [repr(task) for task in recorder.tasks]
    # The flows really ran: e-mails went out, tasks were queued, pages were visited.
    assert mail.outbox and OutboundEmail.objects.exists()
    assert any("email_send" in task for task in tasks)
    assert len(recorder.urls) > 10

    markers = _phi_markers()
    assert {"Esperanza Villanueva", "CH-990017", "1963-04-22"} <= markers
    leaks = [
        (where, marker, text[:200])
        for where, texts in (
            ("log", logs),
            ("e-mail", emails),
            ("task", tasks),
            ("address", recorder.urls),
        )
        for text in texts
        for marker in markers
        if marker in text
    ]
    assert not leaks


def test_every_patient_of_the_world_is_searched_for(world):
    markers = _phi_markers()
    for first, last, born, mrn, phone in PATIENTS + OTHER_PATIENTS:
        assert {f"{first} {last}", mrn, born.isoformat(), phone} <= markers
