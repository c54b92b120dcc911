"""Delivery receipts: what became of a text chwlink sent.

The provider may call back before the worker that sent the text has committed the
provider's message id; such a receipt is kept and applied once the id is saved,
never dropped."""

import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from referrals.models import TextMessage, TextReceiptEarly, TextWebhookDelivery

Status = TextMessage.Status
# A receipt never takes a text back to an earlier state (they may come out of order).
RANK = {
    Status.PENDING: 0,
    Status.SENT: 1,
    Status.DELIVERED: 2,
    Status.UNDELIVERED: 2,
    Status.FAILED: 2,
}
RECEIPTS = {
    "sent": Status.SENT,
    "delivered": Status.DELIVERED,
    "undelivered": Status.UNDELIVERED,
    "failed": Status.FAILED,
}


def provider_id_lock(sid: str) -> None:
    """Serialize, until commit, the worker saving a provider message id and a
    receipt for that id: whichever comes second sees what the first one wrote."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"text:{sid}"])


def _status_raise(sid: str, new: str) -> bool:
    lower = [s for s, rank in RANK.items() if rank < RANK[new]]
    return bool(
        TextMessage.objects.filter(
            provider_id=sid, direction=TextMessage.Direction.OUT, status__in=lower
        ).update(status=new)
    )


def receipt_receive(*, sid: str, status: str) -> bool:
    """Record what became of a sent text; an older or repeated receipt changes
    nothing. A receipt for an id no text has yet is kept for the worker still
    saving it. True when the text's status changed."""
    new = RECEIPTS.get(status)
    if new is None or not sid:
        return False
    with transaction.atomic():
        provider_id_lock(sid)
        if TextMessage.objects.filter(provider_id=sid).exists():
            return _status_raise(sid, new)
        early, made = TextReceiptEarly.objects.get_or_create(
            provider_id=sid, defaults={"status": new}
        )
        if not made and RANK[early.status] < RANK[new]:
            early.status = new
            early.save(update_fields=["status"])
        return False


def receipt_early_apply(sid: str) -> None:
    """Apply the receipt that came before the text's provider id was saved. Call
    after saving the id, in the same transaction."""
    provider_id_lock(sid)
    early = TextReceiptEarly.objects.filter(provider_id=sid).first()
    if early is not None:
        _status_raise(sid, early.status)
        early.delete()


def texting_records_prune() -> tuple[int, int]:
    """Forget webhook signatures past the replay window and receipts no text
    claimed; how many of each."""
    now = timezone.now()
    replay_window = datetime.timedelta(days=settings.TEXTING_WEBHOOK_REPLAY_DAYS)
    replays, _ = TextWebhookDelivery.objects.filter(
        created__lt=now - replay_window
    ).delete()
    receipts, _ = TextReceiptEarly.objects.filter(
        created__lt=now - settings.TEXTING_EARLY_RECEIPT_KEEP
    ).delete()
    return replays, receipts
