"""The navigator texts the patient from the referral: templates in the patient's
language holding nothing but the first name, the conversation with each text's
status, a sent text counted as a contact attempt by text, too long a text
refused with a message that keeps it, and the page's queries bounded."""

import datetime

import pytest
from django.utils import timezone
from django.utils.html import escape

from referrals.demo_directory import seed_directory
from referrals.models import Encounter, TextMessage
from referrals.services import pathways
from referrals.tests.texting import texting_referral
from referrals.texting import conversation, outbox
from referrals.texting.texts import TEMPLATES, context_for, text_render

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def memory_texts(settings):
    settings.SMS_BACKEND = "referrals.texting.backends.MemoryBackend"


@pytest.fixture
def referral(clinic_user, supervisor, navigator):
    return texting_referral(
        clinic_user=clinic_user,
        supervisor=supervisor,
        navigator=navigator,
        medical_reasons=["diabetes"],
        social_needs=["food-insecurity"],
        notes_for_navigator="Lost her job; insulin is too expensive.",
    )


def page(client, referral, query=""):
    return client.get(f"/referrals/{referral.code}/{query}").content.decode()


def test_a_text_sent_from_the_page_is_a_contact_attempt_by_text(
    login, referral, navigator
):
    client = login(navigator)
    response = client.post(
        f"/referrals/{referral.code}/texts/send/",
        {"kind": "free", "body": "Hola Rosa, ¿le llamo mañana?"},
    )
    assert response.status_code == 302
    message = TextMessage.objects.get()
    assert (message.direction, message.status, message.sent_by) == (
        "out",
        "pending",
        navigator,
    )
    attempt = Encounter.objects.filter(referral=referral, mode="text").get()
    assert (attempt.reached, attempt.navigator) == (False, navigator)
    outbox.text_send(message_id=message.pk)
    content = page(client, referral)
    assert "Hola Rosa, ¿le llamo mañana?" in content
    assert "Sent" in content  # the delivery status beside the text


@pytest.mark.parametrize("length, kept", [(2000, True), (1601, True)])
def test_too_long_a_text_is_refused_with_the_count_and_kept(
    login, referral, navigator, length, kept
):
    body = "a" * length
    response = login(navigator).post(
        f"/referrals/{referral.code}/texts/send/", {"kind": "free", "body": body}
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert f"this one has {length}" in content
    assert body in content
    assert not TextMessage.objects.exists()
    assert not Encounter.objects.filter(mode="text").exists()


def test_a_text_of_1600_characters_is_one_text(referral, navigator):
    message = conversation.text_send_to_patient(
        actor=navigator, referral=referral, kind="free", body="b" * 1600
    )
    assert len(message.body) == 1600


def test_the_intro_template_is_in_the_patients_language(login, referral, navigator):
    content = page(login(navigator), referral, "?text=intro")
    first = referral.patient.first_name
    assert f"Hola {first}, soy Nadia, su navegador(a) de Home CBO." in content


def _linked_resource(referral, navigator):
    service = next(
        s
        for s in seed_directory(referral.partnership.cbo)
        if s.name == "Community food pantry"
    )
    pathway = pathways.pathway_open(
        referral=referral,
        actor=navigator,
        need="food-insecurity",
        goal="Groceries every week",
    )
    pathways.pathway_resource_link(pathway=pathway, actor=navigator, service=service)
    return service


def test_every_template_holds_no_phi_beyond_the_first_name(
    referral, navigator, supervisor
):
    patient = referral.patient
    visit = conversation.visit_schedule(
        actor=navigator,
        referral=referral,
        starts_at=timezone.now() + datetime.timedelta(days=2),
    )
    context = context_for(referral, navigator=navigator, visit=visit) | {
        "resource_name": "Weekly groceries",
        "resource_phone": "503-555-0158",
        "resource_address": "12 SE Oak St",
        "resource_hours": "Tue 10-2",
    }
    never = [
        patient.last_name,
        patient.mrn,
        str(patient.date_of_birth),
        patient.phone.as_e164,
        "diabetes",
        "Diabetes",
        "food",
        "Food",
        "alimentos",
        "insulin",
        "job",
        referral.clinic.name,
        referral.short_code,
    ]
    for kind in TEMPLATES:
        for language in ("en", "es"):
            text = text_render(kind, language=language, context=context)
            assert text.strip(), kind
            leaks = [word for word in never if word and word in text]
            assert not leaks, (kind, language, leaks)
            assert "%(" not in text


def test_the_resource_template_carries_the_directory_details(
    login, referral, navigator, supervisor
):
    service = _linked_resource(referral, navigator)
    content = page(
        login(navigator), referral, f"?text=resource&resource={service.code}"
    )
    location = service.locations.first()
    assert service.hours and location.address and service.organization.phone
    for part in (
        service.name,
        service.organization.phone,
        location.address,
        service.hours,
    ):
        assert escape(part) in content


def test_supervisor_reads_the_conversation_but_only_the_navigator_texts(
    login, referral, supervisor, clinic_user
):
    assert (
        login(supervisor)
        .post(
            f"/referrals/{referral.code}/texts/send/", {"kind": "free", "body": "Hola"}
        )
        .status_code
        == 403
    )
    assert "Text messages" in page(login(supervisor), referral)
    assert "Text messages" not in page(login(clinic_user), referral)


def test_another_partnerships_navigator_gets_404(login, referral, outsiders):
    response = login(outsiders["navigator"]).post(
        f"/referrals/{referral.code}/texts/send/", {"kind": "free", "body": "Hola"}
    )
    assert response.status_code == 404
    assert not TextMessage.objects.exists()


def test_the_conversation_does_not_grow_the_pages_queries(
    login, referral, navigator, django_assert_max_num_queries
):
    client = login(navigator)

    def queries():
        client.get(f"/referrals/{referral.code}/")
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as seen:
            client.get(f"/referrals/{referral.code}/")
        return len(seen)

    conversation.text_send_to_patient(
        actor=navigator, referral=referral, kind="free", body="Uno"
    )
    few = queries()
    for n in range(5):
        conversation.text_send_to_patient(
            actor=navigator, referral=referral, kind="free", body=f"Más {n}"
        )
    # The texts card: the conversation with its senders, the consent in force,
    # whether the number opted out, the next visits (4, whatever the length).
    with django_assert_max_num_queries(few):
        client.get(f"/referrals/{referral.code}/")
