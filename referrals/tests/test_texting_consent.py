"""Texts need the patient's consent in force for their number; STOP (and its
Spanish words) opts out at once, START opts back in, HELP answers; nothing ever
goes to an opted-out number or to a patient not to be contacted directly."""

import pytest
from django.core.exceptions import PermissionDenied

from referrals.models import Patient, TextConsent, TextMessage, TextOptOut
from referrals.services.workflow import WorkflowError
from referrals.tests.texting import SENDING_NUMBER, sent_texts, texting_referral
from referrals.texting import conversation, outbox, webhook
from referrals.texting.backends import MemoryBackend
from referrals.texting.consent import consent_record, texting_refusal

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def memory_texts(settings):
    settings.SMS_BACKEND = "referrals.texting.backends.MemoryBackend"
    MemoryBackend.outbox.clear()
    yield
    MemoryBackend.outbox.clear()


@pytest.fixture
def referral(clinic_user, supervisor, navigator):
    return texting_referral(
        clinic_user=clinic_user, supervisor=supervisor, navigator=navigator
    )


def send(navigator, referral, body="Hola, soy Nadia."):
    message = conversation.text_send_to_patient(
        actor=navigator, referral=referral, kind="free", body=body
    )
    outbox.text_send(message_id=message.pk)
    message.refresh_from_db()
    return message


def receive(referral, body, sid):
    return webhook.inbound_receive(
        sid=sid, sender=referral.patient.phone.as_e164, to=SENDING_NUMBER, body=body
    )


def test_no_text_without_recorded_consent(clinic_user, supervisor, navigator):
    referral = texting_referral(
        clinic_user=clinic_user,
        supervisor=supervisor,
        navigator=navigator,
        consent=False,
    )
    with pytest.raises(WorkflowError, match="consent"):
        send(navigator, referral)
    assert sent_texts() == []


def test_consent_records_who_when_and_how(referral, navigator):
    consent = TextConsent.objects.get(patient=referral.patient)
    assert (consent.given, consent.method, consent.recorded_by) == (
        True,
        "verbal",
        navigator,
    )
    assert consent.phone == referral.patient.phone
    assert consent.created is not None


def test_a_consented_text_goes_to_the_patients_number(referral, navigator):
    message = send(navigator, referral)
    assert message.status == TextMessage.Status.SENT
    assert sent_texts() == [
        {
            "id": message.provider_id,
            "to": referral.patient.phone.as_e164,
            "from": SENDING_NUMBER,
            "body": "Hola, soy Nadia.",
        }
    ]


def test_do_not_contact_blocks_texting_even_with_consent(referral, navigator):
    Patient.objects.filter(pk=referral.patient_id).update(
        do_not_contact=True, safe_contact_note="Only through her sister."
    )
    referral.patient.refresh_from_db()
    assert "Direct contact is off" in texting_refusal(referral)
    with pytest.raises(WorkflowError):
        send(navigator, referral)
    assert sent_texts() == []


@pytest.mark.parametrize("word", ["STOP", " alto ", "Parar", "CANCELAR", "stop."])
def test_stop_opts_out_at_once_and_records_withdrawal(referral, navigator, word):
    receive(referral, word, sid="SM-stop")
    assert TextOptOut.objects.filter(phone=referral.patient.phone).exists()
    withdrawal = TextConsent.objects.filter(patient=referral.patient).first()
    assert (withdrawal.given, withdrawal.method, withdrawal.recorded_by) == (
        False,
        "keyword",
        None,
    )
    with pytest.raises(WorkflowError, match="STOP"):
        send(navigator, referral)
    assert sent_texts() == []


def test_a_text_queued_before_stop_is_never_sent(referral, navigator):
    message = conversation.text_send_to_patient(
        actor=navigator, referral=referral, kind="free", body="Hola"
    )
    receive(referral, "ALTO", sid="SM-alto")
    assert outbox.text_send(message_id=message.pk) is False
    message.refresh_from_db()
    assert message.status == TextMessage.Status.CANCELLED
    assert sent_texts() == []


def test_even_recorded_consent_does_not_override_a_stop(referral, navigator):
    receive(referral, "STOP", sid="SM-1")
    consent_record(actor=navigator, referral=referral, given=True, method="written")
    assert "STOP" in texting_refusal(referral)


def test_start_opts_back_in_and_answers(referral, navigator):
    receive(referral, "STOP", sid="SM-1")
    answer = receive(referral, "Iniciar", sid="SM-2")
    assert answer is not None
    assert texting_refusal(referral) == ""
    start = TextMessage.objects.get(kind=TextMessage.Kind.START)
    outbox.text_send(message_id=start.pk)
    # The patient's language (Spanish in the factory) and the CBO's name.
    assert "Home CBO" in sent_texts()[0]["body"]
    assert "Responda ALTO" in sent_texts()[0]["body"]


@pytest.mark.parametrize(
    "language, word, expected",
    [("es", "AYUDA", "para obtener ayuda"), ("en", "help", "for help call")],
)
def test_help_answers_with_the_cbo_name_and_phone_in_the_patients_language(
    referral, language, word, expected
):
    cbo = referral.partnership.cbo
    cbo.phone = "503-555-0110"
    cbo.save()
    Patient.objects.filter(pk=referral.patient_id).update(preferred_language=language)
    receive(referral, word, sid="SM-help")
    help_text = TextMessage.objects.get(kind=TextMessage.Kind.HELP)
    outbox.text_send(message_id=help_text.pk)
    body = sent_texts()[0]["body"]
    assert "Home CBO" in body and "503-555-0110" in body
    assert expected in body


def test_help_from_an_opted_out_number_gets_nothing(referral):
    receive(referral, "STOP", sid="SM-1")
    receive(referral, "HELP", sid="SM-2")
    for message in TextMessage.objects.filter(direction="out"):
        outbox.text_send(message_id=message.pk)
    assert sent_texts() == []


def test_only_the_cbo_side_records_consent(referral, clinic_user, manager):
    for person in (clinic_user, manager):
        with pytest.raises(PermissionDenied):
            consent_record(actor=person, referral=referral, given=True, method="verbal")
