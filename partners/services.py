"""Writes about people and messages to them."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from partners.models import OutboundEmail, User


def user_set_language(*, user: User, language: str) -> None:
    """Remember the interface language so it follows the user to every device."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"Unsupported language: {language}")
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language


def email_queue(*, to: str, subject: str, body_text: str, body_html: str = ""):
    """Save an e-mail and send it from a worker once the caller's transaction commits.

    The row is the source of truth: if the broker is down the periodic sweep sends it.
    """
    from partners.tasks import email_send_task

    email = OutboundEmail.objects.create(
        to=to, subject=subject, body_text=body_text, body_html=body_html
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


def user_deactivate(*, user: User) -> None:
    """Deactivate an account and end every session it has open."""
    from allauth.usersessions.models import UserSession

    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=False)
        user.is_active = False
        for session in UserSession.objects.purge_and_list(user):
            session.end()
