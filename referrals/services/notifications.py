"""Notifications: saved with the work that caused them, e-mailed per preference.

E-mails never name the patient: they say what needs attention and link to the page.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from chwlink.lib.outbox import email_queue
from partners.models import TrainingKind, User
from referrals.models import (
    OUTCOME_STATUSES,
    Notification,
    NotificationPreference,
    Referral,
)
from referrals.timeline import reason_label

Kind = Notification.Kind
Email = Notification.Email
Mode = NotificationPreference.EmailMode


def _closing_outcome(notification: Notification) -> str:
    """How the referral of a "closed" notification ended: as stored when it was
    sent, or (for rows saved before they carried it) as it stands now."""
    if "outcome" in notification.context:
        return notification.context["outcome"]
    return notification.referral.status if notification.referral else ""


CLOSING_SENTENCES = {
    Referral.Status.DECLINED: gettext_lazy(
        "The CBO declined referral %(code)s from %(clinic)s. Reason: %(reason)s."
    ),
    Referral.Status.COMPLETED: gettext_lazy(
        "Referral %(code)s from %(clinic)s is complete: the navigator closed it "
        "with the patient's needs addressed."
    ),
    Referral.Status.UNABLE_TO_COMPLETE: gettext_lazy(
        "Referral %(code)s from %(clinic)s was closed without being completed. "
        "Reason: %(reason)s."
    ),
    Referral.Status.ENTERED_IN_ERROR: gettext_lazy(
        "Referral %(code)s from %(clinic)s was marked as entered in error."
    ),
}


def _closing_sentence(notification: Notification) -> str:
    sentence = CLOSING_SENTENCES.get(_closing_outcome(notification))
    if sentence is None:
        return _("Referral %(code)s from %(clinic)s was closed.")
    return str(sentence)


def notification_title(notification: Notification) -> str:
    """The heading of a notification (and the subject of its e-mail): what
    happened, where the kind alone would say "closed" for a decline too."""
    if notification.kind == Kind.REFERRAL_CLOSED:
        Status = Referral.Status
        titles = {
            Status.DECLINED: _("Referral declined"),
            Status.COMPLETED: _("Referral completed"),
            Status.UNABLE_TO_COMPLETE: _("Referral closed, not completed"),
            Status.ENTERED_IN_ERROR: _("Referral entered in error"),
        }
        outcome = _closing_outcome(notification)
        if outcome in titles:
            return titles[outcome]
    return str(notification.get_kind_display())


# Translated only when one is printed: a page of notifications printed
# 25 of them, and translating every kind for each cost more than its SQL.
SENTENCES = {
    Kind.NEW_REFERRAL: gettext_lazy(
        "A new referral from %(clinic)s is waiting in the inbox."
    ),
    Kind.ASSIGNED_TO_YOU: gettext_lazy(
        "Referral %(code)s from %(clinic)s is now yours."
    ),
    Kind.PATHWAY_TO_APPROVE: gettext_lazy(
        "A completed pathway on referral %(code)s waits for your approval."
    ),
    Kind.NOT_ACCEPTED: gettext_lazy(
        "Referral %(code)s from %(clinic)s has not been accepted in time."
    ),
    Kind.NOT_ASSIGNED: gettext_lazy(
        "Referral %(code)s from %(clinic)s was accepted but has no navigator yet."
    ),
    Kind.NO_FIRST_CONTACT: gettext_lazy(
        "Referral %(code)s: the first contact attempt is overdue."
    ),
    Kind.NO_FIRST_CONTACT_ESCALATION: gettext_lazy(
        "Referral %(code)s: still no contact attempt a day after it was due."
    ),
    Kind.HOLD_ENDED: gettext_lazy(
        "Referral %(code)s was on hold until %(until)s: check back with the "
        "patient and resume the work or close it."
    ),
    Kind.PAM_FOLLOW_UP_DUE: gettext_lazy(
        "A PAM follow-up is due since %(due)s for a patient on your caseload."
    ),
    Kind.CONTRACT_ENDING: gettext_lazy(
        "%(contract)s of %(partnership)s ends on %(ends)s: its renewal notice "
        "period has started."
    ),
    Kind.TRAINING_OVERDUE: gettext_lazy(
        "%(person)s is overdue for the required training “%(training)s” (due %(due)s)."
    ),
    Kind.PARTNERSHIP_INVITATION: gettext_lazy(
        "%(organization)s invites your organization to the partnership "
        "“%(partnership)s”."
    ),
    Kind.TEXT_RECEIVED: gettext_lazy(
        "Referral %(code)s: the patient answered your text message."
    ),
    Kind.TEXT_TO_MATCH: gettext_lazy(
        "A text message came from a number that matches no single patient: "
        "say whose it is."
    ),
    Kind.PARTNERSHIP_ACCEPTED: gettext_lazy(
        "%(organization)s accepted the partnership “%(partnership)s”."
    ),
    Kind.PARTNERSHIP_DECLINED: gettext_lazy(
        "%(organization)s declined the partnership “%(partnership)s”."
    ),
    Kind.PARTNERSHIP_WITHDRAWN: gettext_lazy(
        "%(organization)s withdrew its invitation to the partnership “%(partnership)s”."
    ),
}


def notification_text(notification: Notification) -> str:
    """One sentence, in the active language, without patient details."""
    referral = notification.referral
    values = {
        "clinic": referral.clinic.name if referral else "",
        "code": referral.short_code if referral else "",
        # Inactivity reminders stored before they carried their own gap: the default.
        "days": settings.REFERRAL_SERVICE_LEVELS["inactive_days"],
        **notification.context,
    }
    if "training_kind" in values:
        values["training"] = TrainingKind(values["training_kind"]).label
    reason_code = values.get(
        "reason_code", referral.status_reason_code if referral else ""
    )
    values["reason"] = reason_label(reason_code) or _("none given")
    kind = notification.kind
    if kind == Kind.REFERRAL_CLOSED:
        sentence = _closing_sentence(notification)
    elif kind == Kind.INACTIVE:
        sentence = ngettext(
            "Referral %(code)s has had no activity for %(days)d day.",
            "Referral %(code)s has had no activity for %(days)d days.",
            values["days"],
        )
    else:
        sentence = str(SENTENCES[kind])
    return sentence % values


def _email_modes(recipients) -> dict[int, str]:
    chosen = dict(
        NotificationPreference.objects.filter(
            user__in=[user.pk for user in recipients]
        ).values_list("user_id", "email_mode")
    )
    return {user.pk: chosen.get(user.pk, Mode.IMMEDIATE) for user in recipients}


def _absolute(link: str) -> str:
    return settings.SITE_URL.rstrip("/") + link


def _email_one(notification: Notification, recipient: User) -> None:
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        open_it = _("Open it in chwlink: %(url)s")
        why = _("You get these e-mails because of your notification settings: %(url)s")
        body = "\n\n".join(
            [
                notification_text(notification),
                open_it % {"url": _absolute(notification.link)},
                why % {"url": _absolute(reverse("referrals:notification-settings"))},
            ]
        )
        email_queue(
            to=recipient.email,
            subject=notification_title(notification),
            body_text=body,
        )


def notify(
    *,
    kind: str,
    recipients,
    referral: Referral | None = None,
    link: str = "",
    context: dict | None = None,
) -> list[Notification]:
    """Save one notification per active recipient; e-mail those who want it now.

    Runs inside the caller's transaction: nothing is sent if the work rolls back.
    """
    recipients = [user for user in recipients if user.is_active]
    if not recipients:
        return []
    if not link:
        link = (
            reverse("referrals:referral-detail", args=[referral.code])
            if referral
            else "/"
        )
    modes = _email_modes(recipients)
    to_email = {Mode.IMMEDIATE: Email.QUEUED, Mode.DIGEST: Email.DIGEST}
    notifications = Notification.objects.bulk_create(
        Notification(
            recipient=user,
            kind=kind,
            referral=referral,
            link=link,
            context=context or {},
            email=to_email.get(modes[user.pk], Email.NONE),
        )
        for user in recipients
    )
    for notification, user in zip(notifications, recipients, strict=True):
        if notification.email == Email.QUEUED:
            _email_one(notification, user)
    return notifications


def supervisors_of(referral: Referral) -> QuerySet[User]:
    return User.objects.filter(
        organization_id=referral.partnership.cbo_id,
        role=User.Role.SUPERVISOR,
        is_active=True,
    )


def notify_transition(
    *,
    referral: Referral,
    target: str,
    navigator: User | None = None,
    reason_code: str = "",
) -> None:
    """Who hears about a status change (called by the state machine), and which
    notifications the change has dealt with."""
    Status = Referral.Status
    notifications_done(referral=referral, kinds=HANDLED_BY_STATUS.get(target, ()))
    if target == Status.SUBMITTED:
        notify(
            kind=Kind.NEW_REFERRAL,
            recipients=supervisors_of(referral),
            referral=referral,
        )
    # Assigned or reassigned: the navigator who now has the referral hears of it.
    elif navigator is not None:
        notify(kind=Kind.ASSIGNED_TO_YOU, recipients=[navigator], referral=referral)
    # The clinic made a cancellation itself; every other outcome closes its loop.
    elif target in OUTCOME_STATUSES - {Status.CANCELLED}:
        notify(
            kind=Kind.REFERRAL_CLOSED,
            recipients=[referral.referred_by],
            referral=referral,
            # Codes, never the free-text reason: the context holds no patient details.
            context={"outcome": target, "reason_code": reason_code},
        )


_WAITING_FOR_THE_CBO = (Kind.NEW_REFERRAL, Kind.NOT_ACCEPTED)
_WAITING_FOR_A_NAVIGATOR = (*_WAITING_FOR_THE_CBO, Kind.NOT_ASSIGNED)
# Once a referral is closed, nothing that asked for work on it is still to do.
_ANY_WORK = (
    *_WAITING_FOR_A_NAVIGATOR,
    Kind.NO_FIRST_CONTACT,
    Kind.NO_FIRST_CONTACT_ESCALATION,
    Kind.INACTIVE,
    Kind.PATHWAY_TO_APPROVE,
)
HANDLED_BY_STATUS = {
    Referral.Status.ACCEPTED: _WAITING_FOR_THE_CBO,
    Referral.Status.ASSIGNED: _WAITING_FOR_A_NAVIGATOR,
    **dict.fromkeys(OUTCOME_STATUSES, _ANY_WORK),
}
# A contact attempt is the work the contact reminders ask for.
HANDLED_BY_CONTACT = (
    Kind.NO_FIRST_CONTACT,
    Kind.NO_FIRST_CONTACT_ESCALATION,
    Kind.INACTIVE,
)


def notifications_done(*, referral: Referral, kinds, link: str = "") -> int:
    """Mark done (and read) the notifications of these kinds about the referral
    (about one page of it, where ``link`` is given): the work they asked for has
    been done, by whoever did it. Runs in the caller's transaction."""
    if not kinds:
        return 0
    now = timezone.now()
    waiting = Notification.objects.filter(
        referral=referral, kind__in=kinds, done_at__isnull=True
    )
    if link:
        waiting = waiting.filter(link=link)
    return waiting.update(done_at=now, read_at=Coalesce("read_at", Value(now)))


def notification_open(*, user: User, notification: Notification) -> str:
    """Mark as read (first open only) and return where it points."""
    if notification.recipient_id != user.pk:
        raise PermissionDenied
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return notification.link


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notification_preference_set(*, user: User, email_mode: str) -> None:
    NotificationPreference.objects.update_or_create(
        user=user, defaults={"email_mode": email_mode}
    )


def digests_send() -> int:
    """One e-mail per person with the notifications saved for their digest."""
    sent = 0
    waiting = (
        Notification.objects.filter(email=Email.DIGEST)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    for recipient_id in list(waiting):
        with transaction.atomic():
            batch = list(
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(recipient_id=recipient_id, email=Email.DIGEST)
                .select_related("recipient", "referral__clinic")
                .order_by("created")
            )
            if not batch:
                continue
            recipient = batch[0].recipient
            with translation.override(recipient.language or settings.LANGUAGE_CODE):
                lines = [f"- {notification_text(n)} {_absolute(n.link)}" for n in batch]
                email_queue(
                    to=recipient.email,
                    subject=_("Your chwlink digest: %(count)s to look at")
                    % {"count": len(batch)},
                    body_text="\n".join(lines),
                )
            Notification.objects.filter(pk__in=[n.pk for n in batch]).update(
                email=Email.IN_DIGEST
            )
            sent += 1
    return sent
