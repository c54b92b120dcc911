"""Scoped reads of referrals: every view reads through these.

Scope rules (issue: referrals):
- clinic staff: referrals of their health system;
- supervisors: referrals sent to their CBO, once submitted;
- navigators: referrals assigned to them;
- program managers: referrals of their partnerships, once submitted;
- administrators: everything (they work in the Django admin).
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from partners.models import User
from referrals.models import CASELOAD_STATUSES, Referral

Role = User.Role
Status = Referral.Status


def referral_scope_for_user(user) -> Q:
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.role == Role.CLINIC_STAFF:
        return Q(partnership__health_system_id=user.organization_id)
    if user.role == Role.SUPERVISOR:
        return Q(partnership__cbo_id=user.organization_id) & ~Q(status=Status.DRAFT)
    if user.role == Role.NAVIGATOR:
        return Q(navigator_id=user.pk, partnership__cbo_id=user.organization_id)
    if user.role == Role.PROGRAM_MANAGER:
        member = Q(partnership__health_system_id=user.organization_id) | Q(
            partnership__cbo_id=user.organization_id
        )
        return member & ~Q(status=Status.DRAFT)
    if user.role == Role.ADMINISTRATOR:
        return Q()
    return Q(pk__in=[])


def referral_list_for_user(user) -> QuerySet[Referral]:
    return Referral.objects.filter(referral_scope_for_user(user)).select_related(
        "patient", "clinic", "navigator", "partnership"
    )


def referral_get_for_user(user, code) -> Referral:
    """The referral if the user may see it; 404 otherwise, never 403."""
    try:
        return referral_list_for_user(user).get(code=code)
    except Referral.DoesNotExist as missing:
        raise Http404 from missing


def clinic_referral_list(*, user, filters: dict) -> QuerySet[Referral]:
    """The health system's referrals, newest change first, filtered by clinic/status."""
    referrals = referral_list_for_user(user)
    if filters.get("clinic"):
        referrals = referrals.filter(clinic=filters["clinic"])
    statuses = filters.get("statuses")
    if statuses:
        referrals = referrals.filter(status__in=statuses)
    return referrals.order_by("-updated", "-pk")


def inbox_for_supervisor(*, user) -> QuerySet[Referral]:
    """Referrals waiting on the CBO: urgent first, then oldest first."""
    return (
        referral_list_for_user(user)
        .filter(status__in=[Status.SUBMITTED, Status.ACCEPTED])
        .order_by("-urgency", "submitted_at", "pk")
    )


def caseload_for_navigator(*, user) -> QuerySet[Referral]:
    """The navigator's active referrals."""
    return (
        referral_list_for_user(user)
        .filter(status__in=CASELOAD_STATUSES)
        .order_by("-urgency", "submitted_at", "pk")
    )
