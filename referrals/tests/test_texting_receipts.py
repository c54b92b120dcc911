"""Delivery receipts that arrive before the worker has saved the provider's
message id are kept and applied, never dropped; old webhook records are pruned."""

import datetime
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from referrals.models import TextMessage, TextReceiptEarly, TextWebhookDelivery
from referrals.tasks import texting_records_prune_task
from referrals.tests.texting import texting_referral
from referrals.texting import conversation, outbox, receipts
from referrals.texting.backends import BaseBackend

SID = "SMearly0000000000000000000000001"


class ProviderAnswersAtOnce(BaseBackend):
    """The provider accepts the text and calls back with its receipt before the
    send call has even returned to the worker."""

    receipt = "delivered"

    def send(self, *, to, sender, body, status_callback):
        thread = threading.Thread(target=self._callback)
        thread.start()
        thread.join(timeout=10)
        return SID

    def _callback(self):
        try:
            receipts.receipt_receive(sid=SID, status=self.receipt)
        finally:
            connection.close()


class SlowProvider(BaseBackend):
    def send(self, *, to, sender, body, status_callback):
        return SID


@pytest.fixture
def referral(clinic_user, supervisor, navigator):
    return texting_referral(
        clinic_user=clinic_user, supervisor=supervisor, navigator=navigator
    )


def pending_text(referral, navigator) -> TextMessage:
    return conversation.text_send_to_patient(
        actor=navigator, referral=referral, kind="free", body="Hola"
    )


@pytest.mark.django_db(transaction=True)
def test_a_receipt_before_the_worker_saved_the_id_is_applied(
    settings, referral, navigator
):
    settings.SMS_BACKEND = f"{__name__}.ProviderAnswersAtOnce"
    message = pending_text(referral, navigator)
    assert outbox.text_send(message_id=message.pk)
    message.refresh_from_db()
    assert (message.provider_id, message.status) == (SID, "delivered")
    assert not TextReceiptEarly.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_receipt_while_the_worker_commits_waits_and_is_applied(
    settings, referral, navigator
):
    settings.SMS_BACKEND = f"{__name__}.SlowProvider"
    message = pending_text(referral, navigator)
    callback = threading.Thread(target=ProviderAnswersAtOnce()._callback)
    with transaction.atomic():
        outbox.text_send(message_id=message.pk)
        callback.start()
        callback.join(timeout=1)
        # The receipt waits for the worker's transaction instead of missing it.
        assert callback.is_alive()
    callback.join(timeout=10)
    message.refresh_from_db()
    assert message.status == "delivered"
    assert not TextReceiptEarly.objects.exists()


@pytest.mark.django_db
def test_early_receipts_keep_the_furthest_state(settings, referral, navigator):
    settings.SMS_BACKEND = f"{__name__}.SlowProvider"
    for status in ("sent", "delivered", "sent"):
        assert receipts.receipt_receive(sid=SID, status=status) is False
    assert TextReceiptEarly.objects.get().status == "delivered"
    message = pending_text(referral, navigator)
    outbox.text_send(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == "delivered"


@pytest.mark.django_db
def test_an_unknown_receipt_status_keeps_nothing():
    assert receipts.receipt_receive(sid=SID, status="queued") is False
    assert receipts.receipt_receive(sid="", status="delivered") is False
    assert not TextReceiptEarly.objects.exists()


@pytest.mark.django_db
def test_old_webhook_records_are_pruned_and_recent_ones_kept(settings):
    settings.TEXTING_WEBHOOK_REPLAY_DAYS = 30
    now = timezone.now()
    for age, name in ((31, "old"), (29, "recent")):
        delivery = TextWebhookDelivery.objects.create(signature=name)
        TextWebhookDelivery.objects.filter(pk=delivery.pk).update(
            created=now - datetime.timedelta(days=age)
        )
    for hours, sid in ((25, "SMold"), (1, "SMrecent")):
        early = TextReceiptEarly.objects.create(provider_id=sid, status="sent")
        TextReceiptEarly.objects.filter(pk=early.pk).update(
            created=now - datetime.timedelta(hours=hours)
        )
    texting_records_prune_task()
    assert list(TextWebhookDelivery.objects.values_list("signature", flat=True)) == [
        "recent"
    ]
    assert list(TextReceiptEarly.objects.values_list("provider_id", flat=True)) == [
        "SMrecent"
    ]
