"""Scoped reads of organizations, partnerships and people."""

from django.db.models import Q, QuerySet

from partners.models import Organization, Partnership, Site, User


def partnership_list_for_user(user) -> QuerySet[Partnership]:
    """Partnerships the user's organization belongs to; administrators see all."""
    queryset = Partnership.objects.select_related("health_system", "cbo")
    if user.role == User.Role.ADMINISTRATOR:
        return queryset
    return queryset.filter(
        Q(health_system_id=user.organization_id) | Q(cbo_id=user.organization_id)
    )


def clinic_list_for_user(user) -> QuerySet[Site]:
    """Clinics of the user's health system."""
    return Site.objects.filter(
        organization_id=user.organization_id,
        organization__kind=Organization.Kind.HEALTH_SYSTEM,
    )


def navigator_list_for_cbo(cbo_id) -> QuerySet[User]:
    return User.objects.filter(
        organization_id=cbo_id, role=User.Role.NAVIGATOR, is_active=True
    )
