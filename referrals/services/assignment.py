"""Supervisors give referrals to navigators."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import User
from referrals.access import may_assign, may_be_assigned
from referrals.models import Referral, ReferralEvent
from referrals.services.workflow import (
    WorkflowError,
    apply_transition,
    transition_check,
)


def _check_navigator(referral: Referral, navigator: User) -> None:
    if not may_be_assigned(navigator, referral):
        raise WorkflowError(_("Choose an active navigator of this CBO."))


def referral_assign(
    *,
    referral: Referral,
    actor: User,
    navigator: User,
    expected_version: int | None = None,
) -> Referral:
    """Give an accepted (or just-submitted) referral to a navigator."""
    _check_navigator(referral, navigator)
    return apply_transition(
        expected_version=expected_version,
        referral=referral,
        actor=actor,
        name="assign",
        extra_fields={"navigator": navigator},
        event_kind=ReferralEvent.Kind.ASSIGNMENT,
        event_navigator=navigator,
    )


def referral_reassign(
    *,
    referral: Referral,
    actor: User,
    navigator: User,
    reason: str,
    expected_version: int | None = None,
) -> Referral:
    """Move a referral being worked to another navigator; the reason is required.
    The status stays as it is."""
    # Who may and when first: a refusal must not depend on the navigator chosen.
    transition_check(
        actor=actor,
        referral=referral,
        name="reassign",
        expected_version=expected_version,
    )
    _check_navigator(referral, navigator)
    if navigator.pk == referral.navigator_id:
        raise WorkflowError(_("This navigator already has the referral."))
    if not reason.strip():
        raise WorkflowError(_("Say why the referral moves to another navigator."))
    return apply_transition(
        expected_version=expected_version,
        referral=referral,
        actor=actor,
        name="reassign",
        reason=reason,
        extra_fields={"navigator": navigator, "assigned_at": timezone.now()},
        event_kind=ReferralEvent.Kind.ASSIGNMENT,
        event_navigator=navigator,
    )


def referral_share(*, referral: Referral, actor: User, navigator: User) -> None:
    """Let another navigator see the referral (cover, second language…)."""
    if not may_assign(actor, referral):
        raise PermissionDenied
    _check_navigator(referral, navigator)
    if navigator.pk == referral.navigator_id:
        raise WorkflowError(_("This navigator already has the referral."))
    with transaction.atomic():
        referral.shared_with.add(navigator)
        ReferralEvent.objects.create(
            referral=referral,
            kind=ReferralEvent.Kind.SHARE,
            actor=actor,
            navigator=navigator,
        )
