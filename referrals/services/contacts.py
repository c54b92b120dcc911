"""Contact attempts and visits; the first successful contact starts the work."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chwlink.lib.submissions import claims_form_token
from partners.models import User
from referrals.access import is_assigned_navigator
from referrals.choices import ContactMode
from referrals.models import CASELOAD_STATUSES, Encounter, Referral, ReferralEvent
from referrals.services.notifications import HANDLED_BY_CONTACT, notifications_done
from referrals.services.workflow import WorkflowError, apply_transition

FUTURE_TOLERANCE = datetime.timedelta(minutes=5)
# A contact longer than a working day is a typing mistake, not navigator time.
MIN_MINUTES = 1
MAX_MINUTES = 480


@claims_form_token
def encounter_log(
    *,
    referral: Referral,
    actor: User,
    occurred_at: datetime.datetime,
    mode: str,
    reached: bool,
    minutes: int,
    note: str = "",
) -> Encounter:
    """Record a contact by the assigned navigator, between the day the referral was
    sent and now, of 1 to 480 minutes; a first successful one moves the referral
    to in progress."""
    if not is_assigned_navigator(actor, referral):
        raise PermissionDenied
    if mode not in ContactMode.values:
        raise WorkflowError(_("Choose how the contact happened."))
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise WorkflowError(
            _("Minutes spent must be between %(low)d and %(high)d.")
            % {"low": MIN_MINUTES, "high": MAX_MINUTES}
        )
    if occurred_at > timezone.now() + FUTURE_TOLERANCE:
        raise WorkflowError(_("The contact cannot be in the future."))
    if occurred_at < referral.submitted_at - FUTURE_TOLERANCE:
        raise WorkflowError(_("The contact cannot be before the referral was sent."))
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if locked.navigator_id != actor.pk:
            # Reassigned between the page load and the save.
            raise PermissionDenied
        if locked.status not in CASELOAD_STATUSES:
            raise WorkflowError(_("Contacts are logged while a referral is worked."))
        encounter = Encounter.objects.create(
            referral=locked,
            navigator=actor,
            occurred_at=occurred_at,
            mode=mode,
            reached=reached,
            minutes=minutes,
            note=note.strip(),
        )
        ReferralEvent.objects.create(
            referral=locked,
            kind=ReferralEvent.Kind.CONTACT,
            actor=actor,
            encounter=encounter,
        )
        fields = {}
        if locked.last_contact_at is None or occurred_at > locked.last_contact_at:
            fields["last_contact_at"] = occurred_at
        if reached and locked.first_contact_at is None:
            fields["first_contact_at"] = occurred_at
        if fields:
            Referral.objects.filter(pk=locked.pk).update(**fields)
            for name, value in fields.items():
                setattr(locked, name, value)
        notifications_done(referral=locked, kinds=HANDLED_BY_CONTACT)
        if reached and locked.status == Referral.Status.ASSIGNED:
            apply_transition(referral=locked, actor=actor, name="start")
    referral.refresh_from_db()
    return encounter
