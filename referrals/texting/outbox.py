"""The texts' outbox: a text is saved with the work that causes it and sent by a
Celery worker once that transaction commits, exactly once. The row is the source
of truth: when the broker or the provider was down, the sweep sends it later.

The rules are checked again just before sending: a STOP, a withdrawn consent or a
"do not contact" set since the text was written cancels it."""

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from referrals.models import TextMessage, TextOptOut
from referrals.texting import backends, receipts
from referrals.texting.consent import texting_refusal, texting_settings

Status = TextMessage.Status
Kind = TextMessage.Kind
# Answers to a keyword go to whoever sent it (they may match no single patient).
KEYWORD_ANSWERS = (Kind.HELP, Kind.START)


def text_queue(*, partnership, referral, phone, body: str, kind: str, sent_by=None):
    """Save a text to send from a worker once the caller's transaction commits."""
    message = TextMessage.objects.create(
        partnership=partnership,
        referral=referral,
        direction=TextMessage.Direction.OUT,
        kind=kind,
        phone=phone,
        body=body,
        status=Status.PENDING,
        sent_by=sent_by,
    )
    transaction.on_commit(lambda: text_send_task.delay(message.pk), robust=True)
    return message


def _refusal(message: TextMessage) -> str:
    if message.kind in KEYWORD_ANSWERS:
        setup = texting_settings(message.partnership)
        opted_out = TextOptOut.objects.filter(
            partnership=message.partnership, phone=message.phone
        ).exists()
        return "" if setup and setup.enabled and not opted_out else "refused"
    if message.referral.patient.phone != message.phone:
        return "number changed"
    return texting_refusal(message.referral)


def status_callback_url() -> str:
    base = settings.TEXTING_WEBHOOK_BASE_URL or settings.SITE_URL
    return base.rstrip("/") + reverse("texting-webhook:twilio-status")


def text_send(*, message_id: int) -> bool:
    """Send one pending text; a second delivery of the same task sends nothing.

    The row stays locked while the provider is called, so a redelivered task or
    the sweep waits or skips it; a provider outage rolls back and leaves it
    pending for a retry."""
    with transaction.atomic():
        message = (
            TextMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("partnership__texting", "referral__patient")
            .filter(pk=message_id, status=Status.PENDING)
            .first()
        )
        if message is None:
            return False
        message.attempts += 1
        if refusal := _refusal(message):
            message.status = Status.CANCELLED
            message.error = refusal[:200]
            message.save(update_fields=["status", "attempts", "error", "updated"])
            return False
        try:
            provider_id = backends.backend().send(
                to=message.phone.as_e164,
                sender=message.partnership.texting.number.as_e164,
                body=message.body,
                status_callback=status_callback_url(),
            )
        except backends.RefusedSendError as refused:
            message.status = Status.FAILED
            message.error = str(refused)[:200]
            message.save(update_fields=["status", "attempts", "error", "updated"])
            return False
        message.status = Status.SENT
        message.provider_id = provider_id
        message.sent_at = timezone.now()
        message.save(
            update_fields=["status", "attempts", "provider_id", "sent_at", "updated"]
        )
        receipts.receipt_early_apply(provider_id)
        return True


def text_pending_ids_to_redeliver(*, batch_size: int = 500) -> list[int]:
    """Pending texts old enough that their first enqueue was probably lost."""
    cutoff = timezone.now() - settings.OUTBOX_REDELIVER_AFTER
    return list(
        TextMessage.objects.filter(status=Status.PENDING, created__lt=cutoff)
        .order_by("created")
        .values_list("pk", flat=True)[:batch_size]
    )


@shared_task(
    autoretry_for=(backends.TransientSendError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=8,
)
def text_send_task(message_id: int) -> None:
    text_send(message_id=message_id)
