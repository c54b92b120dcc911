"""The outbox: every e-mail chwlink sends is saved first, then sent by a Celery
worker once the saving transaction commits, exactly once. The row is the source of
truth: when the broker was down, the sweep (``chwlink.lib.tasks``) sends it."""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from chwlink.lib.models import OutboundEmail

TRANSIENT_ERRORS = (ConnectionError, TimeoutError, OSError)


def email_queue(
    *,
    to: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    attachment: tuple[str, str, str] | None = None,
):
    """Save an e-mail and send it from a worker once the caller's transaction commits.

    The row is the source of truth: if the broker is down the periodic sweep sends it.
    """
    name, content, content_type = attachment or ("", "", "")
    email = OutboundEmail.objects.create(
        to=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        attachment_name=name,
        attachment_content=content,
        attachment_type=content_type,
    )
    transaction.on_commit(lambda: email_send_task.delay(email.pk), robust=True)
    return email


def email_send(*, email_id: int) -> bool:
    """Send one pending e-mail; a second delivery of the same task sends nothing."""
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=OutboundEmail.Status.PENDING)
            .first()
        )
        if email is None:
            return False
        message = EmailMultiAlternatives(email.subject, email.body_text, to=[email.to])
        if email.body_html:
            message.attach_alternative(email.body_html, "text/html")
        if email.attachment_name:
            message.attach(
                email.attachment_name, email.attachment_content, email.attachment_type
            )
        email.attempts += 1
        message.send()
        email.status = OutboundEmail.Status.SENT
        email.sent_at = timezone.now()
        email.save(update_fields=["status", "attempts", "sent_at", "updated"])
        return True


def email_pending_ids_to_redeliver(*, batch_size: int = 500) -> list[int]:
    """Pending e-mails old enough that their first enqueue was probably lost."""
    cutoff = timezone.now() - settings.OUTBOX_REDELIVER_AFTER
    return list(
        OutboundEmail.objects.filter(
            status=OutboundEmail.Status.PENDING, created__lt=cutoff
        )
        .order_by("created")
        .values_list("pk", flat=True)[:batch_size]
    )


# The name predates this module (the task lived in partners.tasks): e-mails already
# queued under it still send.
@shared_task(
    name="partners.tasks.email_send_task",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_jitter=True,
    max_retries=8,
)
def email_send_task(email_id: int) -> None:
    email_send(email_id=email_id)
