"""Supervisors give referrals to navigators."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import User
from referrals.models import Notification, Referral, ReferralEvent
from referrals.services.notifications import notify
from referrals.services.workflow import (
    WORKING,
    WorkflowError,
    apply_transition,
    conflict_for,
)

Role = User.Role


def _check_navigator(referral: Referral, navigator) -> None:
    if (
        navigator.role != Role.NAVIGATOR
        or not navigator.is_active
        or navigator.organization_id != referral.partnership.cbo_id
    ):
        raise WorkflowError(_("Choose an active navigator of this CBO."))


def referral_assign(
    *, referral: Referral, actor, navigator, expected_version: int | None = None
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
    actor,
    navigator,
    reason: str,
    expected_version: int | None = None,
) -> Referral:
    """Move a referral being worked to another navigator; the reason is required."""
    if expected_version is not None and expected_version != referral.version:
        raise conflict_for(referral)
    if actor.role != Role.SUPERVISOR or actor.organization_id != (
        referral.partnership.cbo_id
    ):
        raise PermissionDenied
    _check_navigator(referral, navigator)
    if referral.status not in WORKING:
        raise WorkflowError(_("Only referrals being worked can be reassigned."))
    if navigator.pk == referral.navigator_id:
        raise WorkflowError(_("This navigator already has the referral."))
    if not reason.strip():
        raise WorkflowError(_("Say why the referral moves to another navigator."))
    with transaction.atomic():
        updated = Referral.objects.filter(
            pk=referral.pk, status=referral.status, version=referral.version
        ).update(
            navigator=navigator,
            assigned_at=timezone.now(),
            version=F("version") + 1,
            updated=timezone.now(),
        )
        if not updated:
            raise conflict_for(referral)
        ReferralEvent.objects.create(
            referral=referral,
            kind=ReferralEvent.Kind.ASSIGNMENT,
            actor=actor,
            from_status=referral.status,
            to_status=referral.status,
            navigator=navigator,
            reason=reason.strip(),
        )
        notify(
            kind=Notification.Kind.ASSIGNED_TO_YOU,
            recipients=[navigator],
            referral=referral,
        )
    referral.refresh_from_db()
    return referral


def referral_share(*, referral: Referral, actor, navigator) -> None:
    """Let another navigator see the referral (cover, second language…)."""
    if actor.role != Role.SUPERVISOR or actor.organization_id != (
        referral.partnership.cbo_id
    ):
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
