"""The Twilio backend through the official SDK, against a fake Twilio on
loopback, with a real Celery worker: a text is sent after commit, exactly once; a
provider outage delays it, the sweep redelivers it, and none is sent twice."""

import datetime
import time

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from referrals.models import TextMessage
from referrals.tests.fake_twilio_server import FakeTwilio
from referrals.tests.texting import SENDING_NUMBER, texting_referral
from referrals.texting import backends, conversation, outbox

ACCOUNT = "AC" + "0" * 32
TOKEN = "test-auth-token"


def wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def twilio(settings):
    with FakeTwilio(ACCOUNT, TOKEN) as fake:
        settings.SMS_BACKEND = "referrals.texting.backends.TwilioBackend"
        settings.TWILIO_ACCOUNT_SID = ACCOUNT
        settings.TWILIO_AUTH_TOKEN = TOKEN
        settings.TWILIO_API_BASE = fake.base
        yield fake


@pytest.fixture
def referral(clinic_user, supervisor, navigator):
    return texting_referral(
        clinic_user=clinic_user, supervisor=supervisor, navigator=navigator
    )


def sent(message) -> bool:
    return TextMessage.objects.filter(
        pk=message.pk, status=TextMessage.Status.SENT
    ).exists()


@pytest.mark.django_db
def test_the_backend_sends_through_the_sdk_with_the_callback(twilio, referral):
    message_id = backends.backend().send(
        to=referral.patient.phone.as_e164,
        sender=SENDING_NUMBER,
        body="Hola",
        status_callback="https://chwlink.test/texting/twilio/status/",
    )
    assert twilio.accepted == [
        {
            "To": referral.patient.phone.as_e164,
            "From": SENDING_NUMBER,
            "Body": "Hola",
            "StatusCallback": "https://chwlink.test/texting/twilio/status/",
            "sid": message_id,
        }
    ]


@pytest.mark.django_db
def test_a_provider_outage_is_transient_and_a_refusal_is_not(twilio, settings):
    twilio.down_for = 1
    with pytest.raises(backends.TransientSendError):
        backends.backend().send(
            to="+15035550142", sender=SENDING_NUMBER, body="x", status_callback=""
        )
    settings.TWILIO_AUTH_TOKEN = "wrong"
    with pytest.raises(backends.RefusedSendError):
        backends.backend().send(
            to="+15035550142", sender=SENDING_NUMBER, body="x", status_callback=""
        )
    assert twilio.accepted == []


@pytest.mark.celery_worker
def test_sent_by_the_worker_after_commit_exactly_once(
    celery_worker, twilio, referral, navigator
):
    with transaction.atomic():
        message = conversation.text_send_to_patient(
            actor=navigator, referral=referral, kind="free", body="Hola Rosa"
        )
        time.sleep(0.5)
        assert twilio.accepted == []
    assert wait_for(lambda: sent(message))
    message.refresh_from_db()
    assert [m["sid"] for m in twilio.accepted] == [message.provider_id]
    # The same task delivered again sends nothing.
    outbox.text_send_task.delay(message.pk)
    time.sleep(1.0)
    assert len(twilio.accepted) == 1


@pytest.mark.celery_worker
def test_an_outage_delays_the_text_and_the_sweep_sends_it_once(
    celery_worker, twilio, referral, navigator
):
    from referrals.tasks import texts_sweep_task

    # Down long enough that the task's own retries are still waiting when the
    # sweep re-enqueues it: both deliveries meet the same row.
    twilio.down_for = 2
    message = conversation.text_send_to_patient(
        actor=navigator, referral=referral, kind="free", body="Hola"
    )
    assert wait_for(lambda: twilio.refused >= 1)
    TextMessage.objects.filter(pk=message.pk).update(
        created=timezone.now()
        - settings.OUTBOX_REDELIVER_AFTER
        - datetime.timedelta(seconds=1)
    )
    texts_sweep_task.delay()
    assert wait_for(lambda: sent(message), timeout=30)
    time.sleep(3.0)  # any retry still on its way arrives and finds it sent
    assert len(twilio.accepted) == 1
    message.refresh_from_db()
    assert message.provider_id == twilio.accepted[0]["sid"]
