"""After a decline: what the reason suggests, and sending the referral on to
another CBO of the same health system without entering the patient again."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chwlink.lib.submissions import claims_form_token
from partners.models import Partnership, User
from referrals.access import may_reroute
from referrals.choices import ConsentScope, ConsentSource, StatusReason
from referrals.models import Referral, ReferralEvent
from referrals.services.eligibility import not_eligible_until
from referrals.services.intake import partnerships_for_clinic
from referrals.services.notifications import notify_transition
from referrals.services.workflow import WorkflowError

Reason = StatusReason
Status = Referral.Status


@dataclass(frozen=True)
class AfterDecline:
    """What a decline's reason means for the referral's next step."""

    advice: str
    send_on: bool = True


AFTER_DECLINE = {
    Reason.NO_CAPACITY: AfterDecline(
        gettext_lazy(
            "The CBO has no room right now: send the referral on to another "
            "organization so the patient does not wait."
        )
    ),
    Reason.OUT_OF_SCOPE: AfterDecline(
        gettext_lazy(
            "The CBO does not offer what the patient needs: send the referral on "
            "to an organization that does."
        )
    ),
    Reason.OUT_OF_AREA: AfterDecline(
        gettext_lazy(
            "The patient lives outside the CBO's service area: send the referral "
            "on to an organization that serves it."
        )
    ),
    Reason.NOT_ELIGIBLE: AfterDecline(
        gettext_lazy(
            "The patient is not eligible at this CBO, which takes no new referral "
            "of them for a while; another organization may help."
        )
    ),
    Reason.UNREACHABLE: AfterDecline(
        gettext_lazy(
            "The CBO could not reach the patient: check their phone and address "
            "with them before sending the referral on."
        )
    ),
    Reason.DUPLICATE: AfterDecline(
        gettext_lazy(
            "Another referral already covers this patient's needs: there is "
            "nothing to send on."
        ),
        send_on=False,
    ),
    Reason.OTHER: AfterDecline(
        gettext_lazy(
            "Read the CBO's reason; the referral can be sent on to another "
            "organization."
        )
    ),
}


def after_decline(referral: Referral) -> AfterDecline | None:
    """The advice for a declined referral, or None when it is not declined."""
    if referral.status != Status.DECLINED:
        return None
    return AFTER_DECLINE.get(referral.status_reason_code, AFTER_DECLINE[Reason.OTHER])


def reroute_choices(referral: Referral) -> list[Partnership]:
    """Where the declined referral may go: the clinic's other active partnerships
    (``partnerships_for_clinic``), without a CBO that found the patient not
    eligible recently."""
    candidates = [
        p
        for p in partnerships_for_clinic(clinic=referral.clinic)
        if p.pk != referral.partnership_id
    ]
    blocked = not_eligible_until(
        patient_id=referral.patient_id, partnership_ids=[p.pk for p in candidates]
    )
    return [p for p in candidates if p.pk not in blocked]


def reroute_refusal(referral: Referral) -> str | None:
    """Why this referral cannot be sent on now, or None."""
    advice = after_decline(referral)
    if advice is None:
        return _("Only a declined referral can be sent on to another organization.")
    if not advice.send_on:
        return str(advice.advice)
    if Referral.objects.filter(rerouted_from_id=referral.pk).exists():
        return _("This referral was already sent on to another organization.")
    return None


def _check(referral: Referral, actor: User, partnership: Partnership, consent: bool):
    if not may_reroute(actor, referral):
        raise PermissionDenied
    refusal = reroute_refusal(referral)
    if refusal:
        raise WorkflowError(refusal)
    if partnership.pk not in {p.pk for p in reroute_choices(referral)}:
        blocked = not_eligible_until(
            patient_id=referral.patient_id, partnership_ids=[partnership.pk]
        )
        if blocked:
            raise WorkflowError(
                _(
                    "%(cbo)s found this patient not eligible and takes no new "
                    "referral of them until %(until)s."
                )
                % {
                    "cbo": partnership.cbo.name,
                    "until": date_format(
                        timezone.localtime(blocked[partnership.pk]),
                        "SHORT_DATE_FORMAT",
                    ),
                }
            )
        raise WorkflowError(
            _("Choose one of the other organizations this clinic refers to.")
        )
    if not consent:
        raise WorkflowError(
            _("Confirm that the patient agrees to share with the new organization.")
        )


@claims_form_token
def referral_reroute(
    *,
    referral: Referral,
    actor: User,
    partnership: Partnership,
    note: str = "",
    consent: bool = False,
) -> Referral:
    """Send a declined referral on to another CBO of the health system.

    The new referral keeps the patient, clinic, referrer, needs, reasons and
    urgency, goes straight to the new CBO's inbox and points back to the old one;
    both timelines record the hand-off. Only once per referral (a unique link,
    after locking the declined one), only to ``reroute_choices``, and only with
    the patient's consent to share with the new CBO, recorded by ``actor``.
    """
    _check(referral, actor, partnership, consent)
    now = timezone.now()
    note = note.strip()
    try:
        with transaction.atomic():
            locked = Referral.objects.select_for_update().get(pk=referral.pk)
            refusal = reroute_refusal(locked)
            if refusal:
                raise WorkflowError(refusal)
            new = Referral.objects.create(
                patient_id=locked.patient_id,
                partnership=partnership,
                clinic_id=locked.clinic_id,
                referred_by_id=locked.referred_by_id,
                status=Status.SUBMITTED,
                medical_reasons=locked.medical_reasons,
                medical_reason_other=locked.medical_reason_other,
                social_needs=locked.social_needs,
                urgency=locked.urgency,
                notes_for_navigator=locked.notes_for_navigator,
                consent_given=True,
                consent_recorded_by=actor,
                consent_recorded_at=now,
                # The person sending it on asked the patient (the form says so).
                consent_source=ConsentSource.VERBAL,
                consent_scope=ConsentScope.CBO,
                submitted_at=now,
                rerouted_from=locked,
            )
            for side in (locked, new):
                ReferralEvent.objects.create(
                    referral=side,
                    kind=ReferralEvent.Kind.REROUTE,
                    actor=actor,
                    from_status=Status.DECLINED if side is locked else "",
                    to_status=Status.DECLINED if side is locked else Status.SUBMITTED,
                    reason=note,
                )
            notify_transition(referral=new, target=Status.SUBMITTED)
    except IntegrityError as clash:
        raise WorkflowError(
            _("This referral was already sent on to another organization.")
        ) from clash
    return new
