"""A navigator's texts with a patient: sending one from the referral (it counts
as a contact attempt by text), visits a reminder is texted for, and saying whose
a received text is when its number matches no single patient."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chwlink.lib.submissions import claims_form_token
from partners.models import User
from referrals.access import is_assigned_navigator, works_at_cbo
from referrals.choices import ContactMode
from referrals.models import (
    CASELOAD_STATUSES,
    Notification,
    Referral,
    ScheduledVisit,
    TextMessage,
)
from referrals.services import contacts
from referrals.services.notifications import notify
from referrals.services.workflow import WorkflowError
from referrals.texting.consent import texting_refusal
from referrals.texting.outbox import text_queue
from referrals.texting.texts import MAX_LENGTH


def may_text(user, referral) -> bool:
    """The assigned navigator texts the patient while the referral is worked."""
    return is_assigned_navigator(user, referral)


def sees_texts(user, referral) -> bool:
    """The CBO's side reads the conversation: its supervisors, the navigator."""
    return works_at_cbo(user) and user.organization_id == referral.partnership.cbo_id


def conversation(referral) -> list[TextMessage]:
    return list(referral.texts.select_related("sent_by").order_by("created", "pk"))


@claims_form_token
def text_send_to_patient(
    *, actor: User, referral: Referral, kind: str, body: str
) -> TextMessage:
    """Queue a text to the patient and log it as a contact attempt by text.

    Only with consent in force and direct contact allowed (``texting_refusal``),
    at most ``MAX_LENGTH`` characters."""
    if not may_text(actor, referral):
        raise PermissionDenied
    body = body.strip()
    if not body:
        raise WorkflowError(_("Write the text or choose a template."))
    if len(body) > MAX_LENGTH:
        raise WorkflowError(
            _(
                "A text holds at most %(max)d characters; this one has %(count)d. "
                "Shorten it, or send it as two texts."
            )
            % {"max": MAX_LENGTH, "count": len(body)}
        )
    if referral.status not in CASELOAD_STATUSES:
        raise WorkflowError(_("Texts are sent while a referral is worked."))
    if refusal := texting_refusal(referral):
        raise WorkflowError(refusal)
    with transaction.atomic():
        message = text_queue(
            partnership=referral.partnership,
            referral=referral,
            phone=referral.patient.phone,
            body=body,
            kind=kind,
            sent_by=actor,
        )
        contacts.encounter_log(
            referral=referral,
            actor=actor,
            occurred_at=timezone.now(),
            mode=ContactMode.TEXT,
            reached=False,
            minutes=contacts.MIN_MINUTES,
            note=_("Text message sent from chwlink."),
        )
    return message


def visit_schedule(
    *, actor: User, referral: Referral, starts_at: datetime.datetime
) -> ScheduledVisit:
    """The assigned navigator notes a visit set up with the patient."""
    if not may_text(actor, referral):
        raise PermissionDenied
    if starts_at <= timezone.now():
        raise WorkflowError(_("A scheduled visit is in the future."))
    return ScheduledVisit.objects.create(
        referral=referral, starts_at=starts_at, created_by=actor
    )


def text_match(*, actor: User, message: TextMessage, referral: Referral) -> None:
    """Say which patient's referral a received text belongs to: a person of the
    CBO decides, among the referrals whose patient has that number."""
    if not (
        sees_texts(actor, referral)
        and message.partnership_id == referral.partnership_id
    ):
        raise PermissionDenied
    phone = referral.patient.phone
    if message.phone not in (phone, referral.patient.phone_alt):
        raise WorkflowError(_("That patient does not have this number."))
    with transaction.atomic():
        updated = TextMessage.objects.filter(
            pk=message.pk, referral__isnull=True
        ).update(referral=referral)
        if not updated:
            raise WorkflowError(_("Someone has already matched this text."))
        if referral.navigator is not None:
            notify(
                kind=Notification.Kind.TEXT_RECEIVED,
                recipients=[referral.navigator],
                referral=referral,
            )


def _resources(referral):
    """The directory services linked on the referral's pathways (prefetched by
    the referral page's selector)."""
    found = {}
    for pathway in referral.pathways.all():
        for link in pathway.resource_links.all():
            found.setdefault(link.service.pk, link.service)
    return list(found.values())


def texting_panel(user, referral, *, template: str = "", resource_code=None) -> dict:
    """What the referral page shows of the texts: the conversation with each text's
    status, the consent in force, why texting is off if it is, the next visits,
    and the form, filled with the chosen template in the patient's language."""
    from referrals.forms.texting import TextForm
    from referrals.texting.consent import consent_in_force, texting_settings
    from referrals.texting.texts import TEMPLATES, context_for, text_render

    patient = referral.patient
    setup = texting_settings(referral.partnership)
    if setup is None or not setup.enabled:
        # Nothing to read: the partnership does not text (no queries spent).
        return {"off": True, "refusal": texting_refusal(referral)}
    visits = list(referral.scheduled_visits.filter(starts_at__gt=timezone.now())[:3])
    resources = _resources(referral)
    body = ""
    if template in ("intro", "visit", "resource") and template in TEMPLATES:
        resource = next((r for r in resources if str(r.code) == resource_code), None)
        visit = visits[0] if visits else None
        if (template != "resource" or resource) and (template != "visit" or visit):
            body = text_render(
                template,
                language=patient.preferred_language,
                context=context_for(
                    referral, navigator=user, resource=resource, visit=visit
                ),
            )
    kind = template if body else TextMessage.Kind.FREE
    return {
        "messages": conversation(referral),
        "consent": consent_in_force(patient, patient.phone),
        "refusal": texting_refusal(referral),
        "may_text": may_text(user, referral),
        "visits": visits,
        "resources": resources,
        "form": TextForm(initial={"kind": kind, "body": body}),
    }
